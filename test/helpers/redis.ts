/** A throwaway redis-server for the scale-out tests: the one spawner of tools/lib/redis.js. */
export { startRedis } from '../../tools/lib/redis';
export type { TestRedis } from '../../tools/lib/redis';
