/** The relay's intake over a real socket: decode and limits, protocol frames, routing into the hub. */
import * as path from 'path';
import type * as ConnectionModule from '../../src/server/connection';
import type * as DeliveryModule from '../../src/server/delivery';
import type * as IntakeModule from '../../src/server/intake';
import type * as MetricsModule from '../../src/server/metrics';
import type { HybridError } from '../../src/core/errors';
import { DIST_SERVER, server, startRelay, TestClient } from './helpers';
import { socketPair, SocketPair } from './socket-pair';

const { Intake } = require(path.join(DIST_SERVER, 'intake')) as typeof IntakeModule;
const { Outlet, Replayer } = require(path.join(DIST_SERVER, 'delivery')) as typeof DeliveryModule;
const { Connection } = require(path.join(DIST_SERVER, 'connection')) as typeof ConnectionModule;
const { RelayMetrics } = require(path.join(DIST_SERVER, 'metrics')) as typeof MetricsModule;
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { HybridError: ErrorClass } = require(path.join(DIST_SERVER, '../core/errors')) as { HybridError: typeof HybridError };

let pair: SocketPair;
beforeEach(async () => {
  pair = await socketPair();
});
afterEach(() => pair.close());

type Forwarded = { from: string; to: string | undefined; tail: string };

function setup({ ratePerSecond = 0, rateBurst = 100, offline = false } = {}) {
  const metrics = new RelayMetrics();
  const outlet = new Outlet(1 << 20, metrics);
  const forwarded: Forwarded[] = [];
  const confirmed: number[] = [];
  const hub = {
    forward(_key: string, from: string, to: string | undefined, tail: string, done: (err: HybridError | null) => void) {
      forwarded.push({ from, to, tail });
      done(offline ? new ErrorClass('OFFLINE', 'nobody') : null);
    },
    confirm: (_key: string, _env: string, lastSeq: number) => void confirmed.push(lastSeq),
    replay: (_k: string, _e: string, _a: number | null, done: (frames: []) => void) => done([]),
  };
  const replayer = new Replayer(outlet, hub);
  const intake = new Intake({ options: { maxFrameBytes: 200, ratePerSecond, rateBurst }, metrics, outlet, replayer, hub });
  const conn = new Connection(pair.server, 'k', 'h5', 0, rateBurst, Date.now());
  conn.joined = true;
  pair.server.on('message', (data, isBinary) => intake.onFrame(conn, data, isBinary));
  const send = (frame: unknown) => pair.client.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  return { metrics, forwarded, confirmed, conn, send };
}

describe('Intake', () => {
  test('routes a message with the sender spliced in (client from/seq removed) and acks it after the hub took it', async () => {
    const { forwarded, send, conn } = setup();
    send({ type: 'message', id: 'm1', from: 'forged', seq: 99, data: { a: 1 } });
    await pair.receivedCount(1);
    expect(pair.received[0]).toEqual({ type: 'ack', id: 'm1' });
    expect(forwarded).toHaveLength(1);
    expect(JSON.parse('{' + forwarded[0].tail)).toEqual({ from: 'h5', type: 'message', id: 'm1', data: { a: 1 } });
    expect(conn.state).toBe('live'); // talked before resume: served as a plain client
  });

  test('an OFFLINE hub answer becomes an error frame with the id, counted as a reject', async () => {
    const { send, metrics } = setup({ offline: true });
    send({ type: 'message', id: 'm2', data: 1 });
    await pair.receivedCount(1);
    expect(pair.received[0]).toMatchObject({ type: 'error', code: 'OFFLINE', id: 'm2' });
    expect(metrics.rejects.offline).toBe(1);
  });

  test('bad frames are refused with BAD_REQUEST and nothing is forwarded', async () => {
    const { send, forwarded, metrics } = setup();
    send('not json');
    send({ type: 'hello', id: 'h' });
    send({ type: 'message', id: 'self', to: 'h5' });
    send({ type: 'message', id: 'bad', to: 'no spaces allowed' });
    pair.client.send(Buffer.from([1, 2, 3]), { binary: true });
    send({ type: 'message', id: 'big', data: 'x'.repeat(300) });
    await pair.receivedCount(6);
    expect(pair.received.map((f) => f.code)).toEqual(['BAD_REQUEST', 'BAD_REQUEST', 'BAD_REQUEST', 'BAD_REQUEST', 'BAD_REQUEST', 'PAYLOAD_TOO_LARGE']);
    expect(pair.received.slice(1, 4).map((f) => f.id)).toEqual(['h', 'self', 'bad']);
    expect(forwarded).toEqual([]);
    expect(metrics.rejects.bad_frame).toBe(6);
  });

  test('ping is answered with pong (echoing ts) and confirms lastSeq; resume replays then confirms', async () => {
    const { send, confirmed, conn } = setup();
    send({ type: 'ping', ts: 12, lastSeq: 40 });
    send({ type: 'resume', lastSeq: 41 }); // pending: starts the replay
    send({ type: 'resume', lastSeq: 42 }); // live: a confirmation
    await pair.receivedCount(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(pair.received).toEqual([{ type: 'pong', ts: 12 }]);
    expect(confirmed).toEqual([40, 42]);
    expect(conn.state).toBe('live');
    expect(conn.sentSeq).toBe(41);
  });

  test('over the rate: RATE_LIMITED with the frame id, then closed with 4008 after a burst of strikes', async () => {
    const { send, metrics } = setup({ ratePerSecond: 1, rateBurst: 2 });
    for (let i = 0; i < 6; i++) send({ type: 'message', id: `r${i}` });
    const closed = await new Promise<number>((resolve) => pair.client.once('close', (code) => resolve(code)));
    expect(closed).toBe(4008);
    const limited = pair.received.filter((f) => f.code === 'RATE_LIMITED');
    expect(limited.map((f) => f.id)).toEqual(['r2', 'r3']);
    expect(metrics.rejects.rate_limited).toBe(3);
  });
});

describe('hub factory option', () => {
  test('a third hub is a factory passed as `hub`: the relay starts it and routes through it', async () => {
    const calls: string[] = [];
    const relay = server.createRelayServer({
      port: 0,
      logger: false,
      resumeWaitMs: 100,
      hub: (context) => {
        const hub = server.memoryHub(context);
        const forward = hub.forward.bind(hub);
        hub.start = async () => void calls.push('start');
        hub.forward = (key, from, to, tail, done) => {
          calls.push(`forward ${from}`);
          forward(key, from, to, tail, done);
        };
        return hub;
      },
    });
    await relay.listen();
    try {
      expect(calls).toEqual(['start']);
      const mp = await TestClient.open(relay, 'f', 'miniapp', 0);
      const h5 = await TestClient.open(relay, 'f', 'h5', 0);
      h5.send({ type: 'message', id: 'x', data: 1 });
      expect(await mp.next((f) => f.type === 'message')).toMatchObject({ data: 1, from: 'h5' });
      expect(calls).toEqual(['start', 'forward h5']);
      await Promise.all([mp.close(), h5.close()]);
    } finally {
      await relay.close();
    }
  });
});
