/**
 * Sessions over real sockets: open registers the connection, joins the hub and says hello; the
 * socket's listeners are shared by every connection (no closure per idle socket); close leaves
 * the registry; the sweep pings, ends the dead and the expired.
 */
import * as path from 'path';
import type * as DeliveryModule from '../../src/server/delivery';
import type * as IntakeModule from '../../src/server/intake';
import type * as MetricsModule from '../../src/server/metrics';
import type * as RegistryModule from '../../src/server/registry';
import type * as SessionsModule from '../../src/server/sessions';
import type { Connection } from '../../src/server/connection';
import { waitFor } from '../helpers/wait';
import { DIST_SERVER } from './helpers';
import { socketPair, SocketPair } from './socket-pair';

const { Sessions } = require(path.join(DIST_SERVER, 'sessions')) as typeof SessionsModule;
const { Intake } = require(path.join(DIST_SERVER, 'intake')) as typeof IntakeModule;
const { Outlet, Replayer } = require(path.join(DIST_SERVER, 'delivery')) as typeof DeliveryModule;
const { ConnectionRegistry } = require(path.join(DIST_SERVER, 'registry')) as typeof RegistryModule;
const { RelayMetrics } = require(path.join(DIST_SERVER, 'metrics')) as typeof MetricsModule;

const pairs: SocketPair[] = [];
afterEach(async () => {
  await Promise.all(pairs.splice(0).map((p) => p.close()));
});

function setup() {
  const metrics = new RelayMetrics();
  const outlet = new Outlet(1 << 20, metrics);
  const left: string[] = [];
  const registry = new ConnectionRegistry(outlet, (conn) => void left.push(conn.env));
  const confirmed: number[] = [];
  const hub = {
    storeId: 'store-1',
    join: (conn: Connection, _replaced: boolean, done: (peers: string[]) => void) => done(registry.envs(conn.key).filter((e) => e !== conn.env)),
    forward: () => undefined,
    confirm: (_k: string, _e: string, lastSeq: number) => void confirmed.push(lastSeq),
    replay: (_k: string, _e: string, _a: number | null, done: (frames: []) => void) => done([]),
  };
  const replayer = new Replayer(outlet, hub);
  const options = { maxFrameBytes: 1000, ratePerSecond: 0, rateBurst: 10, resumeWaitMs: 50 };
  const intake = new Intake({ options, metrics, outlet, replayer, hub });
  const sessions = new Sessions({ options, metrics, registry, outlet, replayer, intake, hub });
  const open = async (key: string, env: string, expiresAt = 0) => {
    const pair = await socketPair();
    pairs.push(pair);
    const conn = sessions.open(pair.server, { key, env, expiresAt }, false);
    return { pair, conn };
  };
  return { sessions, registry, metrics, confirmed, left, open };
}

describe('Sessions', () => {
  test('open: registered, joined, hello with the peers and the store; served live after resumeWaitMs without resume', async () => {
    const { registry, open, metrics } = setup();
    const h5 = await open('k', 'h5');
    const mp = await open('k', 'miniapp');
    expect(registry.get('k', 'h5')).toBe(h5.conn);
    expect(metrics.connectionsTotal).toBe(2);
    await mp.pair.receivedCount(1);
    expect(mp.pair.received[0]).toMatchObject({ type: 'hello', env: 'miniapp', peers: ['h5'], receipts: true, store: 'store-1' });
    await waitFor(() => h5.conn.state === 'live', 2000, 'live after resumeWaitMs');
    expect(h5.conn.resumeTimer).toBeNull();
  });

  test('every socket gets the same four listener functions: an idle connection holds no closure of its own', async () => {
    const { open } = setup();
    const a = await open('a', 'h5');
    const b = await open('b', 'h5');
    for (const event of ['message', 'pong', 'close', 'error'] as const) {
      const mine = (ws: typeof a.pair.server) => ws.listeners(event).slice(-1)[0];
      expect(mine(a.pair.server)).toBe(mine(b.pair.server));
    }
  });

  test('frames reach the intake of their own connection; close leaves the registry and clears the resume timer', async () => {
    const { registry, open, confirmed, left } = setup();
    const a = await open('a', 'h5');
    const b = await open('b', 'h5');
    a.pair.client.send(JSON.stringify({ type: 'ping', ts: 1, lastSeq: 11 }));
    b.pair.client.send(JSON.stringify({ type: 'ping', ts: 2, lastSeq: 22 }));
    await a.pair.receivedCount(2); // hello, pong
    await b.pair.receivedCount(2);
    expect(a.pair.received[1]).toEqual({ type: 'pong', ts: 1 });
    expect(b.pair.received[1]).toEqual({ type: 'pong', ts: 2 });
    expect(confirmed.sort()).toEqual([11, 22]);
    a.pair.client.close();
    await waitFor(() => a.conn.state === 'closed', 2000, 'closed');
    expect(registry.get('a', 'h5')).toBeUndefined();
    expect(a.conn.resumeTimer).toBeNull();
    expect(left).toEqual(['h5']);
  });

  test('sweep: pings the live, terminates one that missed a ping (1006), closes an expired token (4501)', async () => {
    const { sessions, open, metrics } = setup();
    const live = await open('live', 'h5');
    const dead = await open('dead', 'h5');
    const expired = await open('exp', 'h5', Date.now() + 1);
    const pinged = new Promise<void>((resolve) => live.pair.client.once('ping', () => resolve()));
    dead.conn.alive = false;
    const expiredClose = new Promise<number>((resolve) => expired.pair.client.once('close', (code) => resolve(code)));
    const deadClose = new Promise<number>((resolve) => dead.pair.client.once('close', (code) => resolve(code)));
    await new Promise((r) => setTimeout(r, 5));
    sessions.sweep(Date.now());
    await pinged;
    expect(await expiredClose).toBe(4501);
    expect(await deadClose).toBe(1006);
    expect(metrics.closes['1006']).toBe(1);
    await waitFor(() => live.conn.alive, 2000, 'pong answered');
  });
});
