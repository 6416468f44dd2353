/**
 * Delivered means delivered, under faults: the real CLI as a child process SIGKILLed and restarted
 * 3 times, 10 cuts of every connection through a TCP proxy, 5,000 reliable messages each way,
 * memory and Redis modes (tools/lib/fault-run.js; `npm run bench` runs a larger count).
 */
import { startRedis, TestRedis } from '../helpers/redis';
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { runFault } = require('../../tools/lib/fault-run');

jest.setTimeout(90000);

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

test.each(['memory', 'redis'])('%s mode: every message surfaced exactly once, none lost silently', async (mode) => {
  const result = await runFault({ messages: 5000, kills: 3, cuts: 10, redis: mode === 'redis' ? { url: redis.url, prefix: 'fault:' } : undefined });
  // eslint-disable-next-line no-console
  console.log(`fault run: ${JSON.stringify(result)}`);
  expect(result.kills).toBe(3);
  expect(result.cuts).toBe(10);
  expect(result.cutConnections).toBeGreaterThanOrEqual(10);
  expect(result.duplicates).toBe(0);
  expect(result.silentLosses).toBe(0);
  expect(result.missing).toBe(0);
  expect(result.surfaced).toBe(10000);
});
