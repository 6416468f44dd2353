/**
 * Writes batched per turn (src/core/socket/outbound.ts, src/core/batch.ts), against real servers on
 * 127.0.0.1: our relay (built dist/node/server), which offers batch messages in its hello; a plain
 * `ws` server and the old relay's reproduction, which never get a batch but still get every frame of
 * a turn in one TCP write from the Node transport (cork). Counts WebSocket messages and TCP writes.
 */
import { AddressInfo } from 'net';
import { WebSocket, WebSocketServer } from 'ws';
import { BATCH_MAX_FRAMES, isBatch, splitBatch } from '../../src/core/batch';
import { SocketClient, SocketClientOptions, webSocketTransport } from '../../src/core/socket';
import { startOldRelay } from '../fixtures/legacy/old-relay';
import { sleep, waitFor } from '../helpers/wait';
import { server, type Relay, type RelayOptions } from '../server/helpers';
import { FAST } from './socket-fixture';

jest.setTimeout(20000);

const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** What one client put on the wire: WebSocket messages, and write calls on its TCP socket. */
interface Wire {
  messages: string[];
  tcpWrites: number;
  /** WebSocket messages the client received. */
  received: number;
}

/** webSocketTransport over a `ws` WebSocket whose messages and TCP writes are counted. */
function countingTransport(wire: Wire): SocketClientOptions['transport'] {
  class Counted extends WebSocket {
    constructor(url: string, protocols?: string | string[], options?: object) {
      super(url, protocols, options);
      this.on('message', () => wire.received++);
      this.once('open', () => {
        const tcp = (this as unknown as { _socket: Record<'_write' | '_writev', (...args: unknown[]) => void> })._socket;
        for (const name of ['_write', '_writev'] as const) {
          const original = tcp[name].bind(tcp);
          tcp[name] = (...args: unknown[]) => {
            wire.tcpWrites++;
            original(...args);
          };
        }
      });
    }
    send(data: unknown, ...rest: unknown[]): void {
      wire.messages.push(String(data));
      (super.send as (...args: unknown[]) => void)(data, ...rest);
    }
  }
  return webSocketTransport(Counted as never);
}

function client(url: string, options: Partial<SocketClientOptions> = {}) {
  const wire: Wire = { messages: [], tcpWrites: 0, received: 0 };
  const c = new SocketClient({ ...FAST, target: url, transport: countingTransport(wire), ...options });
  closers.push(() => c.destroy());
  return { c, wire };
}

async function relayWith(options: Partial<RelayOptions> = {}): Promise<Relay> {
  const relay = server.createRelayServer({ port: 0, logger: false, resumeWaitMs: 100, pingIntervalMs: 5000, ...options });
  await relay.listen();
  closers.push(() => relay.close({ graceMs: 50 }));
  return relay;
}

/** A plain `ws` server on 127.0.0.1 (`port` 0: any) recording every text it gets; `greet` is sent on each connection. */
async function plainServer(port = 0, greet?: unknown) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port });
  await new Promise((resolve, reject) => wss.once('listening', resolve).once('error', reject));
  closers.push(() => {
    for (const ws of wss.clients) ws.terminate();
    return new Promise((resolve) => wss.close(resolve));
  });
  const seen: string[] = [];
  wss.on('connection', (ws) => {
    if (greet) ws.send(JSON.stringify(greet));
    ws.on('message', (data) => seen.push(data.toString()));
  });
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`, seen };
}

const urlOf = (relay: Relay, env: string) => `ws://127.0.0.1:${relay.address()!.port}/socket?token=batch&env=${env}`;

/** The frames inside `messages`, batches opened. */
const framesOf = (messages: string[]) => messages.flatMap((m) => (isBatch(m) ? splitBatch(m, 1e6) : [m])).map((t) => JSON.parse(t));
/** The application messages among them (a sender also confirms what the relay sent it). */
const messagesOf = (messages: string[]) => framesOf(messages).filter((f) => f.type === 'message');

/** A sender and its peer on `relay`, both past hello; `got` collects what the peer receives on `event`. */
async function openPair<T = number>(relay: Relay, event = 'n') {
  const sender = client(urlOf(relay, 'h5'));
  const peer = client(urlOf(relay, 'miniapp'));
  const got: T[] = [];
  peer.c.subscribe(event, (d) => got.push(d as T));
  const hellos = [sender, peer].map(({ c }) => new Promise((resolve) => c.on('hello', resolve)));
  sender.c.connect();
  peer.c.connect();
  await Promise.all(hellos);
  await sleep(50); // presence and the opening confirmations pass before anything is counted
  return { sender, peer, got };
}

test('our relay writes back in batches too: 100 messages and their acks reach the clients in a few WebSocket messages, each once, in order', async () => {
  const relay = await relayWith();
  const { sender, peer, got } = await openPair(relay);
  const before = { peer: peer.wire.received, sender: sender.wire.received };
  const results = Array.from({ length: 100 }, (_, i) => sender.c.emit('n', i, { reliable: true }));
  await Promise.all(results.map((r) => r.delivered));
  await waitFor(() => got.length === 100);
  await sleep(50);
  expect(got).toEqual(Array.from({ length: 100 }, (_, i) => i));
  expect(peer.c.stats().duplicates + peer.c.stats().replays).toBe(0);
  // One relay turn forwards the sender's batch: a handful of messages, not one per frame.
  expect(peer.wire.received - before.peer).toBeLessThanOrEqual(10);
  // The sender's 100 acks (and the delivered notice) likewise.
  expect(sender.wire.received - before.sender).toBeLessThanOrEqual(10);
});

test('our relay: of 100 reliable messages emitted in one turn the first goes at once, the other 99 as one WebSocket message; each arrives once, in order', async () => {
  const relay = await relayWith();
  const { sender, peer, got } = await openPair(relay);
  const before = { messages: sender.wire.messages.length, writes: sender.wire.tcpWrites, delivered: relay.metrics().messagesDelivered };

  const results = Array.from({ length: 100 }, (_, i) => sender.c.emit('n', i, { reliable: true }));
  // Written before the turn is over: nobody waits for the end of the app's own code.
  expect(sender.wire.messages.length - before.messages).toBe(1);
  expect(results.every((r) => r.status === 'sent')).toBe(true);
  await Promise.all(results.map((r) => r.delivered));

  const turn = sender.wire.messages.slice(before.messages, before.messages + 2);
  expect(isBatch(turn[0])).toBe(false);
  expect(isBatch(turn[1])).toBe(true);
  expect(messagesOf(turn).map((f) => f.data)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  expect(sender.wire.tcpWrites - before.writes).toBeLessThanOrEqual(3); // the first, the batch (and nothing else was due)
  expect(got).toEqual(Array.from({ length: 100 }, (_, i) => i));
  expect(peer.c.stats().duplicates).toBe(0);
  expect(relay.metrics().messagesDelivered - before.delivered).toBe(100); // each frame of the batch on its own
  expect(sender.c.stats().sent).toBeGreaterThanOrEqual(100);
});

test('what the app sends while it handles a received message waits for the end of that turn: 50 replies and the confirmation in one WebSocket message', async () => {
  const relay = await relayWith();
  const { sender, peer } = await openPair(relay);
  const replies: number[] = [];
  sender.c.subscribe('reply', (d) => replies.push(d as number));
  let sentInCallback = -1;
  peer.c.subscribe('question', () => {
    const before = peer.wire.messages.length;
    for (let i = 0; i < 50; i++) peer.c.emit('reply', i, { reliable: true });
    sentInCallback = peer.wire.messages.length - before;
  });
  // Likewise what a settled promise's callback sends within the turn (an ack, a delivered notice).
  const question = sender.c.emit('question', 1, { reliable: true });
  const followUps: number[] = [];
  question.accepted.then(() => {
    const before = sender.wire.messages.length;
    sender.c.emit('followUp', 1);
    sender.c.emit('followUp', 2);
    followUps.push(sender.wire.messages.length - before);
  });
  const from = peer.wire.messages.length;
  await waitFor(() => replies.length === 50);

  expect(sentInCallback).toBe(0);
  expect(followUps).toEqual([0]);
  const answer = peer.wire.messages.slice(from);
  expect(answer).toHaveLength(1);
  expect(isBatch(answer[0])).toBe(true);
  expect(framesOf(answer).map((f) => f.type)).toEqual([...Array(50).fill('message'), 'resume']);
  expect(replies).toEqual(Array.from({ length: 50 }, (_, i) => i));
});

test('batches stay within the frame count and the byte size the relay offered; a frame too large to share goes alone', async () => {
  const relay = await relayWith({ maxFrameBytes: 4096, ratePerSecond: 0, backlogItems: 1000 });
  const { sender, peer, got } = await openPair<string>(relay, 't');
  const from = sender.wire.messages.length;
  // Sizes are bounded at 3 bytes per UTF-16 unit: 1,400 units cannot share a 4,096-byte batch.
  const texts = Array.from({ length: 300 }, (_, i) => (i === 150 ? 'x'.repeat(1400) : i % 2 ? `大${i}` : `m${i}`));
  const results = texts.map((t) => sender.c.emit('t', t, { reliable: true }));
  await Promise.all(results.map((r) => r.delivered));

  const sent = sender.wire.messages.slice(from);
  for (const message of sent) {
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(4096);
    if (isBatch(message)) expect(splitBatch(message, 1e6).length).toBeLessThanOrEqual(BATCH_MAX_FRAMES);
  }
  expect(sent.length).toBeGreaterThanOrEqual(3); // 300 frames > 2 × 128
  expect(sent.some((m) => !isBatch(m) && m.includes('x'.repeat(1400)))).toBe(true);
  expect(messagesOf(sent).map((f) => f.data)).toEqual(texts);
  expect(got).toEqual(texts);
});

test("two WebSocket messages in one TCP read: what the second one's callbacks send is still held for the end of the turn", async () => {
  // A plain ws server that writes both frames in one TCP write once the client's opening resume arrived.
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  closers.push(() => new Promise((resolve) => wss.close(resolve)));
  const seen: string[] = [];
  wss.on('connection', (ws) => {
    ws.once('message', () => {
      const tcp = (ws as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
      tcp.cork();
      ws.send(JSON.stringify({ type: 'message', event: 'note', data: 0 }));
      ws.send(JSON.stringify({ type: 'message', event: 'ask', data: 1 }));
      tcp.uncork();
      ws.on('message', (data) => seen.push(data.toString()));
    });
  });
  const { c, wire } = client(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`);
  let writes = -1;
  c.subscribe('note', () => {
    writes = wire.tcpWrites;
  });
  // The answer comes in a callback after the first message's turn bookkeeping, still within this read's turn.
  c.subscribe('ask', () => queueMicrotask(() => {
    c.emit('answer', 1);
    c.emit('answer', 2);
  }));
  c.connect();
  await waitFor(() => seen.length === 2);
  expect(wire.tcpWrites - writes).toBe(1);
  expect(seen.map((t) => JSON.parse(t).data)).toEqual([1, 2]);
});

test('a plain ws server never gets a batch; the Node transport still writes the rest of a turn of frames in one TCP write', async () => {
  const { url, seen } = await plainServer();
  const { c, wire } = client(url);
  c.connect();
  await waitFor(() => c.state === 'open');
  await waitFor(() => seen.length === 1); // resume
  const writes = wire.tcpWrites;

  for (let i = 0; i < 50; i++) c.emit('n', i);
  await waitFor(() => seen.length === 51);
  expect(wire.tcpWrites - writes).toBe(2); // the first at once, the other 49 together
  expect(seen.some(isBatch)).toBe(false);
  expect(seen.slice(1).map((t) => JSON.parse(t).data)).toEqual(Array.from({ length: 50 }, (_, i) => i));
});

test('the old relay (legacyRelay) and a plain server (protocol plain) never see a batch', async () => {
  const old = await startOldRelay();
  closers.push(() => old.close());
  const a = client(old.url('t', 'h5'), { legacyRelay: true });
  const b = client(old.url('t', 'miniapp'), { legacyRelay: true });
  const notes: unknown[] = [];
  b.c.subscribe('note', (d) => notes.push(d));
  a.c.connect();
  b.c.connect();
  await waitFor(() => a.c.state === 'open' && b.c.state === 'open');
  const results = Array.from({ length: 20 }, (_, i) => a.c.emit('note', i, { reliable: true }));
  for (let i = 0; i < 20; i++) a.c.send({ type: 'addMaterial', data: i });
  await Promise.all(results.map((r) => r.delivered));
  await waitFor(() => old.seen.length >= 60); // 20 messages, 20 relay-format frames, 20 acks
  expect(old.seen.some(isBatch)).toBe(false);
  expect(notes).toEqual(Array.from({ length: 20 }, (_, i) => i));

  const { url, seen } = await plainServer();
  const plain = client(url, { protocol: 'plain' });
  plain.c.connect();
  await waitFor(() => plain.c.state === 'open');
  for (let i = 0; i < 30; i++) plain.c.sendRaw(`line ${i}`);
  await waitFor(() => seen.length === 30);
  expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => `line ${i}`));
});

test('after a reconnect to a server whose hello offers no batch, frames go one per message again', async () => {
  const relay = server.createRelayServer({ port: 0, logger: false, resumeWaitMs: 100 });
  await relay.listen();
  const port = relay.address()!.port;
  const { c, wire } = client(`ws://127.0.0.1:${port}/socket?token=b2&env=h5`);
  const hello = new Promise((resolve) => c.on('hello', resolve));
  c.connect();
  await hello;
  for (let i = 0; i < 5; i++) c.emit('n', i);
  await waitFor(() => wire.messages.some(isBatch));
  await relay.close({ graceMs: 0 });

  // An older relay on the same port: says hello without `batch`, records what it gets.
  const { seen } = await plainServer(port, { type: 'hello', v: 1, env: 'h5', peers: [] });
  await waitFor(() => c.state === 'open' && seen.length > 0, 5000, 'reconnected');
  await sleep(50);
  const from = seen.length;
  for (let i = 0; i < 40; i++) c.emit('n', 100 + i);
  await waitFor(() => seen.length === from + 40);
  expect(seen.some(isBatch)).toBe(false);
  expect(seen.slice(from).map((t) => JSON.parse(t).data)).toEqual(Array.from({ length: 40 }, (_, i) => 100 + i));
});

test('close() right after a burst still hands the burst to the socket first', async () => {
  const relay = await relayWith();
  const { sender, peer, got } = await openPair(relay);
  for (let i = 0; i < 10; i++) sender.c.emit('n', i);
  sender.c.close();
  await waitFor(() => got.length === 10);
  expect(got).toEqual(Array.from({ length: 10 }, (_, i) => i));
});
