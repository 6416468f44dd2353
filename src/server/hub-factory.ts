/** The two hubs shipped with the relay, and the default choice between them. */
import type { Hub } from './hub';
import type { HubContext, HubFactory } from './options';
import { MemoryHub } from './memory-hub';
import { RedisHub } from './redis-hub';

/** One process: seq counters and backlogs in memory. */
export const memoryHub: HubFactory = ({ registry, options, receipts, metrics }) => new MemoryHub(registry, options, receipts, metrics);

/** Several instances sharing seq counters, backlogs and presence through `options.redisUrl`. */
export const redisHub: HubFactory = ({ registry, options, receipts, log }) => new RedisHub(registry, options, receipts, log);

/** The `hub` option if given, else Redis when `redisUrl` is set, else memory. */
export function createHub(context: HubContext): Hub {
  const factory = context.options.hub || (context.options.redisUrl ? redisHub : memoryHub);
  return factory(context);
}
