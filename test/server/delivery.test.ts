/** The relay's outlet and replayer against real sockets: write states, slow consumers, replay before live. */
import * as path from 'path';
import type * as ConnectionModule from '../../src/server/connection';
import type * as DeliveryModule from '../../src/server/delivery';
import type * as MetricsModule from '../../src/server/metrics';
import type { Stamped } from '../../src/server/hub';
import { waitFor } from '../helpers/wait';
import { DIST_SERVER } from './helpers';
import { socketPair, SocketPair } from './socket-pair';

const { Outlet, Replayer } = require(path.join(DIST_SERVER, 'delivery')) as typeof DeliveryModule;
const { Connection } = require(path.join(DIST_SERVER, 'connection')) as typeof ConnectionModule;
const { RelayMetrics } = require(path.join(DIST_SERVER, 'metrics')) as typeof MetricsModule;

let pair: SocketPair;
beforeEach(async () => {
  pair = await socketPair();
});
afterEach(() => pair.close());

const frame = (seq: number) => `{"seq":${seq},"from":"h5","type":"message","data":${seq}}`;

function setup(maxBufferedBytes = 1 << 20) {
  const metrics = new RelayMetrics();
  const outlet = new Outlet(maxBufferedBytes, metrics);
  const conn = new Connection(pair.server, 'k', 'miniapp', 0, 10, Date.now());
  return { metrics, outlet, conn };
}

describe('Outlet', () => {
  test('stamped frames wait while pending, are held while replaying, go out once when live', async () => {
    const { outlet, conn, metrics } = setup();
    outlet.stamped(conn, 1, frame(1)); // pending: the backlog keeps it
    conn.state = 'replaying';
    conn.held = [];
    outlet.stamped(conn, 2, frame(2));
    expect(conn.held).toEqual([[2, frame(2)]]);
    conn.state = 'live';
    outlet.stamped(conn, 3, frame(3));
    outlet.stamped(conn, 3, frame(3)); // same seq again: not written twice
    outlet.stamped(conn, 2, frame(2)); // older seq: not written
    await pair.receivedCount(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(pair.received.map((f) => f.seq)).toEqual([3]);
    expect(conn.sentSeq).toBe(3);
    expect(metrics.messagesForwarded).toBe(1);
  });

  test('a consumer whose send buffer is over the limit is closed with 4009 and counted', async () => {
    const { outlet, conn, metrics } = setup(1000);
    conn.state = 'live';
    const closed = new Promise<number>((resolve) => pair.client.once('close', (code) => resolve(code)));
    // One turn's writes are corked, so bufferedAmount grows until the limit is crossed.
    let seq = 0;
    const isClosed = () => (conn.state as string) === 'closed';
    while (!isClosed() && seq < 10000) outlet.stamped(conn, ++seq, frame(seq) + ' '.repeat(200));
    expect(conn.state).toBe('closed');
    expect(metrics.drops.slow_consumer).toBe(1);
    expect(metrics.closes['4009']).toBe(1);
    expect(await closed).toBe(4009);
  });

  test('a client that takes batches gets one read\'s writes as one message at the end of that read (a microtask)', async () => {
    const { outlet, conn } = setup();
    conn.state = 'live';
    conn.batchOut = true;
    const sends: string[] = [];
    const send = pair.server.send.bind(pair.server);
    pair.server.send = ((data: string) => (sends.push(data), send(data))) as typeof pair.server.send;
    outlet.ack(conn, 'a1');
    outlet.stamped(conn, 1, frame(1));
    outlet.stamped(conn, 2, frame(2));
    expect(sends).toEqual([]);
    await null;
    expect(sends).toEqual([`\u001e{"type":"ack","id":"a1"}\u001e${frame(1)}\u001e${frame(2)}`]);
    outlet.stamped(conn, 3, frame(3)); // a lone frame goes as it is
    await null;
    expect(sends[1]).toBe(frame(3));
  });

  test('control frames are JSON, and nothing is written to a closed connection', async () => {
    const { outlet, conn } = setup();
    outlet.control(conn, { type: 'presence', env: 'h5', online: true });
    await pair.receivedCount(1);
    expect(pair.received[0]).toEqual({ type: 'presence', env: 'h5', online: true });
    outlet.close(conn, 1000, 'bye');
    outlet.control(conn, { type: 'pong' });
    await new Promise((r) => setTimeout(r, 50));
    expect(pair.received).toHaveLength(1);
  });
});

describe('Replayer', () => {
  test('sends the backlog after the resume point, then frames held meanwhile, then goes live', async () => {
    const { outlet, conn } = setup();
    let answer: ((frames: Stamped[]) => void) | null = null;
    const asked: Array<number | null> = [];
    const replayer = new Replayer(outlet, { replay: (_k, _e, after, done) => void (asked.push(after), (answer = done)) });
    replayer.startLive(conn, 4); // not joined yet: remembered
    expect(asked).toEqual([]);
    replayer.joined(conn);
    expect(asked).toEqual([4]);
    expect(conn.state).toBe('replaying');
    outlet.stamped(conn, 8, frame(8)); // live frame during the replay: held
    answer!([[5, frame(5)], [6, frame(6)], [7, frame(7)], [8, frame(8)]]);
    expect(conn.state).toBe('live');
    outlet.stamped(conn, 9, frame(9));
    await pair.receivedCount(5);
    await new Promise((r) => setTimeout(r, 50));
    expect(pair.received.map((f) => f.seq)).toEqual([5, 6, 7, 8, 9]);
  });

  test('a connection closed during the replay gets nothing', async () => {
    const { outlet, conn } = setup();
    let answer: ((frames: Stamped[]) => void) | null = null;
    const replayer = new Replayer(outlet, { replay: (_k, _e, _a, done) => void (answer = done) });
    replayer.joined(conn);
    replayer.startLive(conn, null);
    outlet.close(conn, 1000, 'bye');
    answer!([[1, frame(1)]]);
    await waitFor(() => pair.client.readyState === pair.client.CLOSED, 2000, 'close');
    expect(pair.received).toEqual([]);
  });
});
