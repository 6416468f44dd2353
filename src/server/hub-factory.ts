/** The two hubs shipped with the relay, and the default choice between them. */
import type { HubContext, HubFactory, Hub } from './hub';
import { MemoryHub } from './memory-hub';
import { RedisHub } from './redis-hub';

/** One process: seq counters and backlogs in memory. */
export const memoryHub: HubFactory = ({ registry, options, metrics }) => new MemoryHub(registry, options, metrics);

/** Several instances sharing seq counters, backlogs and presence through `options.redisUrl`. */
export const redisHub: HubFactory = ({ registry, options, metrics, log }) => new RedisHub(registry, options, metrics, log);

/** The `hub` option if given, else Redis when `redisUrl` is set, else memory. */
export function createHub(context: HubContext): Hub {
  const factory = context.options.hub || (context.options.redisUrl ? redisHub : memoryHub);
  return factory(context);
}
