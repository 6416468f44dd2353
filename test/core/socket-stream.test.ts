/**
 * Streamed answers over the socket: a SocketClient in the mini program's place (the registry
 * serving through serveSocketRequests) and one in the H5 page's place, both connected to the
 * BUILT relay on 127.0.0.1. Order and once-only delivery across a reconnect, batching, cancel
 * reaching the handler, OFFLINE when the answering peer vanishes, errors, idle timeout; and
 * duplicate or missing chunks injected by a relay fixture.
 */
import { WebSocket } from 'ws';
import { wxSocketTransport } from '../../src/adapters/wx-socket';
import { serveSocketRequests } from '../../src/services/socket-requests';
import { HybridError } from '../../src/core/errors';
import { HandlerContext, HandlerRegistry } from '../../src/core/registry';
import { SocketClient, STREAM_FLUSH_MS, webSocketTransport } from '../../src/core/socket';
import { Relay, socketUrl, startRelay } from '../server/helpers';
import { MisbehavingRelay } from '../helpers/misbehaving-relay';
import { createWsWx, WsWx } from '../helpers/ws-wx';
import { FAST, sleep, waitFor, waitState } from './socket-fixture';

let relay: Relay;
let wx: WsWx;
let clients: SocketClient[] = [];
let registry: HandlerRegistry;
/** What the handlers saw: cancelled flags and whether their finally ran. */
let seen: { cancelled?: boolean; finished?: boolean; yielded: number };

beforeEach(async () => {
  relay = await startRelay({ ratePerSecond: 50, rateBurst: 60 });
  wx = createWsWx();
  registry = new HandlerRegistry();
  seen = { yielded: 0 };
  registry.register('count', async function* (params: { n: number; every?: number }, ctx: HandlerContext) {
    try {
      for (let i = 0; i < params.n; i++) {
        if (params.every) await sleep(params.every);
        seen.yielded++;
        yield i;
      }
    } finally {
      seen.cancelled = ctx.cancelled;
      seen.finished = true;
    }
  } as never);
  registry.register('failAfter', async function* (params: { n: number }) {
    for (let i = 0; i < params.n; i++) yield `item ${i}`;
    throw new HybridError('RATE_LIMITED', 'upstream said no');
  } as never);
  registry.register('plain', (params: { x: number }) => params.x * 2);
});
afterEach(async () => {
  for (const c of clients) c.destroy();
  clients = [];
  await relay.close();
  await wx.settled();
});

/** The mini program side's sockets, so a test can cut one (TCP reset, no close frame). */
const appSockets: WebSocket[] = [];
class RecordedWebSocket extends WebSocket {
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    appSockets.push(this);
  }
}

function miniapp(): SocketClient {
  const c = new SocketClient({ transport: webSocketTransport(RecordedWebSocket as never), target: socketUrl(relay, 'tok', 'miniapp'), ...FAST });
  clients.push(c);
  serveSocketRequests(c, registry);
  c.connect();
  return c;
}

function h5(options = {}): SocketClient {
  const c = new SocketClient({ transport: webSocketTransport(WebSocket as never), target: socketUrl(relay, 'tok', 'h5'), ...FAST, ...options });
  clients.push(c);
  c.connect();
  return c;
}

async function pair(): Promise<{ app: SocketClient; page: SocketClient }> {
  const app = miniapp();
  const page = h5();
  await waitState(app, 'open');
  await waitState(page, 'open');
  await sleep(50); // presence settles
  return { app, page };
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function rejection(p: Promise<unknown>): Promise<HybridError> {
  try {
    await p;
  } catch (err) {
    return err as HybridError;
  }
  throw new Error('resolved but should have failed');
}

test('1,000 items arrive in order, once, batched into few chunk frames; onChunk and the iterator agree', async () => {
  const { page } = await pair();
  const seenByOnChunk: number[] = [];
  const stream = page.requestStream<number>('count', { n: 1000 }, { to: 'miniapp', onChunk: (item, i) => seenByOnChunk.push(item - i) });
  const items = await collect(stream);
  expect(items).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  expect(await stream.done).toBe(1000);
  expect(seenByOnChunk.every((d) => d === 0)).toBe(true);
  expect(seen).toMatchObject({ yielded: 1000, finished: true, cancelled: false });
  expect(page.stats().received).toBeLessThan(20); // a few chunk frames (items batched), not 1,000
});

test('items produced over time go out at most one chunk frame per flush interval (under the relay rate limit)', async () => {
  const { page } = await pair();
  const t0 = Date.now();
  const stream = page.requestStream<number>('count', { n: 60, every: 5 }, { to: 'miniapp' });
  const items = await collect(stream);
  const elapsed = Date.now() - t0;
  expect(items).toHaveLength(60);
  // 60 items in ≥ 300 ms at one frame per STREAM_FLUSH_MS: far fewer frames than items, and none refused
  expect(page.stats().received).toBeLessThanOrEqual(Math.ceil(elapsed / STREAM_FLUSH_MS) + 4);
  expect(page.stats().received).toBeLessThan(60);
});

test('a reconnect in the middle of the stream: the relay replays, the app gets every item once and in order', async () => {
  const { page } = await pair();
  const stream = page.requestStream<number>('count', { n: 200, every: 3 }, { to: 'miniapp', timeout: 5000 });
  const items: number[] = [];
  const reading = (async () => {
    for await (const x of stream) {
      items.push(x);
      if (items.length === 40) page.reconnect('test cut');
    }
  })();
  await reading;
  expect(items).toEqual(Array.from({ length: 200 }, (_, i) => i));
  expect(page.stats().generation).toBeGreaterThanOrEqual(2);
});

test('cancel from the caller stops the handler: its finally runs with ctx.cancelled, done rejects CANCELLED', async () => {
  const { page } = await pair();
  const stream = page.requestStream<number>('count', { n: 100000, every: 2 }, { to: 'miniapp' });
  const items: number[] = [];
  for await (const x of stream) {
    items.push(x);
    if (items.length === 10) break; // return() sends the cancel frame
  }
  expect((await rejection(stream.done)).code).toBe('CANCELLED');
  await waitFor(() => seen.finished === true, 3000, 'the handler to stop');
  expect(seen.cancelled).toBe(true);
  const stoppedAt = seen.yielded;
  await sleep(100);
  expect(seen.yielded).toBe(stoppedAt); // nothing more is produced
  expect(stoppedAt).toBeLessThan(1000);
});

test('the answering peer vanishes (its TCP connection cut, the client gone): the stream ends with OFFLINE', async () => {
  const { app, page } = await pair();
  const stream = page.requestStream<number>('count', { n: 100000, every: 2 }, { to: 'miniapp', timeout: 10000 });
  const items: number[] = [];
  const err = rejection(
    (async () => {
      for await (const x of stream) {
        items.push(x);
        if (items.length === 5) {
          appSockets[appSockets.length - 1].terminate(); // no close frame reaches the relay
          app.destroy();
        }
      }
    })(),
  );
  expect((await err).code).toBe('OFFLINE');
  expect(items.length).toBeGreaterThanOrEqual(5);
});

test('a handler error after some items: the items, then the error with its code', async () => {
  const { page } = await pair();
  const items: string[] = [];
  const stream = page.requestStream<string>('failAfter', { n: 3 }, { to: 'miniapp', onChunk: (x) => items.push(x) });
  const err = await rejection(stream.done);
  expect(items).toEqual(['item 0', 'item 1', 'item 2']);
  expect(err).toMatchObject({ code: 'RATE_LIMITED', message: 'upstream said no' });
});

test('a plain handler streamed is one item; a streaming handler called with request() is refused clearly', async () => {
  const { page } = await pair();
  expect(await collect(page.requestStream('plain', { x: 21 }, { to: 'miniapp' }))).toEqual([42]);
  const err = await rejection(page.request('count', { n: 3 }, { to: 'miniapp' }));
  expect(err.code).toBe('BAD_REQUEST');
  expect(err.message).toMatch(/answers with a stream/);
  expect((await rejection(collect(page.requestStream('nope', {}, { to: 'miniapp' })))).code).toBe('METHOD_NOT_FOUND');
});

test('a peer that is not connected: the request waits at the relay; the idle timeout ends the stream (TIMEOUT)', async () => {
  const page = h5();
  await waitState(page, 'open');
  const err = await rejection(page.requestStream('count', { n: 1 }, { to: 'miniapp', timeout: 200 }).done);
  expect(err.code).toBe('TIMEOUT');
});

describe('chunks as the wire may deliver them (a misbehaving relay fixture)', () => {
  let server: MisbehavingRelay;
  beforeEach(async () => {
    server = await MisbehavingRelay.start();
  });
  afterEach(() => server.close());

  async function client(): Promise<SocketClient> {
    const c = new SocketClient({ transport: wxSocketTransport({}, wx), target: server.url('t1', 'h5'), ...FAST, requestTimeout: 300 });
    clients.push(c);
    c.connect();
    await waitState(c, 'open');
    return c;
  }

  test('a repeated chunk is dropped; the items come once', async () => {
    const c = await client();
    const stream = c.requestStream<string>('x', null, { to: 'miniapp' });
    await waitFor(() => server.inbox.some((f) => f.type === 'request'));
    const id = stream.id;
    for (const n of [0, 0, 1, 1]) server.push('t1', 'h5', { type: 'chunk', id, n, data: [`a${n}`, `b${n}`], from: 'miniapp' });
    server.push('t1', 'h5', { type: 'response', id, ok: true, chunks: 2, from: 'miniapp' });
    expect(await collect(stream)).toEqual(['a0', 'b0', 'a1', 'b1']);
  });

  test('a missing chunk ends the stream with an error, never items out of order', async () => {
    const c = await client();
    const items: string[] = [];
    const stream = c.requestStream<string>('x', null, { to: 'miniapp', onChunk: (x) => items.push(x) });
    await waitFor(() => server.inbox.some((f) => f.type === 'request'));
    server.push('t1', 'h5', { type: 'chunk', id: stream.id, n: 0, data: ['first'], from: 'miniapp' });
    server.push('t1', 'h5', { type: 'chunk', id: stream.id, n: 2, data: ['third'], from: 'miniapp' });
    const err = await rejection(stream.done);
    expect(err.message).toMatch(/lost chunk 1/);
    expect(items).toEqual(['first']);
  });

  test('nothing for `timeout` ms: TIMEOUT', async () => {
    const c = await client();
    const err = await rejection(c.requestStream('x', null, { to: 'miniapp', timeout: 100 }).done);
    expect(err.code).toBe('TIMEOUT');
  });
});
