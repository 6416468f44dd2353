/** The connection registry over real sockets: the table per token+env, replacement, presence, delivery. */
import * as path from 'path';
import type * as ConnectionModule from '../../src/server/connection';
import type * as DeliveryModule from '../../src/server/delivery';
import type * as MetricsModule from '../../src/server/metrics';
import type * as RegistryModule from '../../src/server/registry';
import { DIST_SERVER } from './helpers';
import { socketPair, SocketPair } from './socket-pair';

const { ConnectionRegistry } = require(path.join(DIST_SERVER, 'registry')) as typeof RegistryModule;
const { Outlet } = require(path.join(DIST_SERVER, 'delivery')) as typeof DeliveryModule;
const { Connection } = require(path.join(DIST_SERVER, 'connection')) as typeof ConnectionModule;
const { RelayMetrics } = require(path.join(DIST_SERVER, 'metrics')) as typeof MetricsModule;

const pairs: SocketPair[] = [];
afterEach(async () => {
  await Promise.all(pairs.splice(0).map((p) => p.close()));
});

async function setup() {
  const metrics = new RelayMetrics();
  const left: Array<[string, boolean]> = [];
  const registry = new ConnectionRegistry(new Outlet(1 << 20, metrics), (conn, gone) => void left.push([conn.env, gone]));
  const open = async (key: string, env: string) => {
    const pair = await socketPair();
    pairs.push(pair);
    const conn = new Connection(pair.server, key, env, 0, 10, Date.now());
    conn.state = 'live';
    return { conn, pair };
  };
  return { registry, left, open, metrics };
}

describe('ConnectionRegistry', () => {
  test('keeps one current connection per token+env and counts envs and pairs', async () => {
    const { registry, open } = await setup();
    const h5 = await open('k', 'h5');
    const mp = await open('k', 'miniapp');
    const lone = await open('other', 'h5');
    for (const c of [h5, mp, lone]) expect(registry.add(c.conn)).toBeUndefined();
    expect(registry.get('k', 'h5')).toBe(h5.conn);
    expect(registry.envs('k').sort()).toEqual(['h5', 'miniapp']);
    expect(registry.envCount('k')).toBe(2);
    expect(registry.envCount('none')).toBe(0);
    expect(registry.size).toBe(3);
    expect(registry.pairs()).toBe(1);
  });

  test('a second connection of a token+env replaces the first: closed with 4500, left without going offline', async () => {
    const { registry, open, left, metrics } = await setup();
    const first = await open('k', 'miniapp');
    const second = await open('k', 'miniapp');
    registry.add(first.conn);
    const closed = new Promise<number>((resolve) => first.pair.client.once('close', (code) => resolve(code)));
    expect(registry.add(second.conn)).toBe(first.conn);
    expect(await closed).toBe(4500);
    expect(metrics.closes['4500']).toBe(1);
    expect(left).toEqual([['miniapp', false]]);
    expect(registry.get('k', 'miniapp')).toBe(second.conn);
    registry.remove(first.conn); // its socket closing later changes nothing
    expect(left).toEqual([['miniapp', false]]);
    expect(registry.get('k', 'miniapp')).toBe(second.conn);
    registry.remove(second.conn);
    expect(left).toEqual([['miniapp', false], ['miniapp', true]]);
    expect(registry.envs('k')).toEqual([]);
    expect(registry.size).toBe(0);
  });

  test('a newer join elsewhere (Redis mode) replaces an older local connection only', async () => {
    const { registry, open, left } = await setup();
    const mp = await open('k', 'miniapp');
    registry.add(mp.conn);
    mp.conn.joinNo = 7;
    registry.joined('k', 'miniapp', 7); // its own join
    registry.joined('k', 'miniapp', 6); // an older one
    expect(mp.conn.state).toBe('live');
    registry.joined('k', 'miniapp', 8);
    expect(mp.conn.state).toBe('closed');
    expect(left).toEqual([['miniapp', false]]);
    expect(registry.envs('k')).toEqual([]);
  });

  test('presence goes to the other envs of the token; stamped frames to the named env only', async () => {
    const { registry, open } = await setup();
    const h5 = await open('k', 'h5');
    const mp = await open('k', 'miniapp');
    const stranger = await open('x', 'kiosk');
    for (const c of [h5, mp, stranger]) registry.add(c.conn);
    registry.presence('k', 'miniapp', false);
    registry.deliver('k', 'miniapp', 5, '{"seq":5,"from":"h5","type":"message","data":1}');
    registry.deliver('k', 'nobody', 6, '{"seq":6,"from":"h5","type":"message","data":2}');
    await h5.pair.receivedCount(1);
    await mp.pair.receivedCount(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(h5.pair.received).toEqual([{ type: 'presence', env: 'miniapp', online: false }]);
    expect(mp.pair.received).toEqual([{ seq: 5, from: 'h5', type: 'message', data: 1 }]);
    expect(stranger.pair.received).toEqual([]);
  });
});

