/**
 * Delivered means delivered: the SocketClient against the real relay (built dist/node/server) on
 * 127.0.0.1. The relay's ack only means accepted; `delivered`/`ack` wait for the receiver's
 * cumulative confirmation; receivers send no per-message acks; a relay restart loses nothing.
 */
import { WebSocket } from 'ws';
import { SocketClient, SocketClientOptions, UndeliveredEvent, webSocketTransport } from '../../src/core/socket';
import { server, type Relay, type RelayOptions } from '../server/helpers';
import { sleep, waitFor } from '../helpers/wait';
import { isBatch, splitBatch } from '../../src/core/batch';
import { FAST } from './socket-fixture';

jest.setTimeout(20000);

const relays: Relay[] = [];
const clients: SocketClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(relays.splice(0).map((r) => r.close({ graceMs: 100 })));
});

async function relayOn(port = 0, options: Partial<RelayOptions> = {}): Promise<Relay> {
  const relay = server.createRelayServer({ port, logger: false, resumeWaitMs: 100, pingIntervalMs: 5000, ...options });
  await relay.listen();
  relays.push(relay);
  return relay;
}

/** A client whose outgoing frame types (`sent`) and WebSocket messages (`messages`: the types in each) are recorded. */
function client(relay: Relay, env: string, options: Partial<SocketClientOptions> = {}) {
  const sent: string[] = [];
  const messages: string[][] = [];
  /** lastSeq of each confirmation (resume) sent. */
  const confirmed: number[] = [];
  const ws = webSocketTransport(WebSocket as never);
  const c = new SocketClient({
    ...FAST,
    target: `ws://127.0.0.1:${relay.address()!.port}/socket?token=rcpt&env=${env}`,
    transport: (target) => {
      const task = ws(target) as ReturnType<typeof ws> & { send: (o: { data: string }) => void };
      const send = task.send.bind(task);
      task.send = (o: { data: string }) => {
        const frames = (isBatch(o.data) ? splitBatch(o.data, 1000) : [o.data]).map((text) => JSON.parse(text));
        const types = frames.map((f) => f.type as string);
        for (const f of frames) if (f.type === 'resume') confirmed.push(f.lastSeq);
        sent.push(...types);
        messages.push(types);
        send(o);
      };
      return task;
    },
    ...options,
  });
  clients.push(c);
  return { c, sent, messages, confirmed };
}

const settled = (p: Promise<unknown>) => p.then(() => 'resolved', () => 'rejected');

test('accepted when the relay holds it, delivered only once the peer confirmed; receivers send no per-message acks', async () => {
  const relay = await relayOn();
  const { c: mp } = client(relay, 'miniapp');
  mp.connect();
  await waitFor(() => mp.state === 'open');
  const events: string[] = [];
  mp.on('accepted', (e) => events.push(`accepted ${e.id}`));
  mp.on('ack', (e) => events.push(`ack ${e.id}`));
  const result = mp.emit('chat', 'hi', { reliable: true, to: 'h5', id: 'c1' });
  await result.accepted;
  await sleep(100);
  expect(await Promise.race([settled(result.delivered!), sleep(50).then(() => 'pending')])).toBe('pending');
  expect(events).toEqual(['accepted c1']);

  const { c: h5, sent } = client(relay, 'h5');
  const got: unknown[] = [];
  h5.subscribe('chat', (d) => got.push(d));
  h5.connect();
  await result.delivered;
  expect(got).toEqual(['hi']);
  expect(events).toEqual(['accepted c1', 'ack c1']);
  for (let i = 0; i < 50; i++) mp.emit('chat', i, { reliable: true, to: 'h5' });
  await waitFor(() => mp.stats().unacked === 0, 5000, 'every delivery');
  expect(got).toHaveLength(51);
  expect(sent.filter((t) => t === 'ack')).toEqual([]); // confirmations instead: resume { lastSeq }
  expect(sent.filter((t) => t === 'resume').length).toBeGreaterThan(1);
  expect(relay.metrics().messagesDelivered).toBe(51);
});

test('a relay restart (memory mode) loses nothing accepted: the sender resends what was not delivered, the receiver dedupes', async () => {
  const first = await relayOn();
  const port = first.address()!.port;
  const { c: mp } = client(first, 'miniapp');
  const { c: h5 } = client(first, 'h5');
  const got: number[] = [];
  h5.subscribe('n', (d) => got.push(d as number));
  mp.connect();
  h5.connect();
  await waitFor(() => mp.state === 'open' && h5.state === 'open');
  for (let i = 0; i < 20; i++) await mp.emit('n', i, { reliable: true, to: 'h5' }).delivered;
  h5.pause(); // the receiver goes away; what follows is accepted by the relay only
  const later = Array.from({ length: 30 }, (_, i) => mp.emit('n', 20 + i, { reliable: true, to: 'h5' }));
  await Promise.all(later.map((r) => r.accepted));
  // The relay dies with 30 accepted messages in its memory.
  relays.splice(relays.indexOf(first), 1);
  await first.close({ graceMs: 0 });
  await relayOn(port);
  h5.resume();
  await Promise.all(later.map((r) => r.delivered));
  expect(got).toEqual(Array.from({ length: 50 }, (_, i) => i));
});

test('a backlog that lets an accepted message go reports it undelivered (lost, QUEUE_FULL) to the connected sender', async () => {
  const relay = await relayOn(0, { backlogItems: 5 });
  const { c: mp } = client(relay, 'miniapp');
  mp.connect();
  await waitFor(() => mp.state === 'open');
  const undelivered: UndeliveredEvent[] = [];
  mp.on('undelivered', (u) => undelivered.push(u));
  const results = Array.from({ length: 8 }, (_, i) => mp.emit('n', i, { reliable: true, to: 'h5', id: `q${i}` }));
  await waitFor(() => undelivered.length === 3, 5000, 'three reports');
  expect(undelivered.map((u) => [u.id, u.reason, u.error.code])).toEqual([0, 1, 2].map((i) => [`q${i}`, 'lost', 'QUEUE_FULL']));
  expect(await Promise.all(results.slice(0, 3).map((r) => settled(r.delivered!)))).toEqual(['rejected', 'rejected', 'rejected']);
  const { c: h5 } = client(relay, 'h5');
  const got: unknown[] = [];
  h5.subscribe('n', (d) => got.push(d));
  h5.connect();
  await Promise.all(results.slice(3).map((r) => r.delivered));
  expect(got).toEqual([3, 4, 5, 6, 7]);
  expect(relay.metrics().drops.backlog_overflow).toBe(3);
});

test('accepted and delivered read only after the outcome (they are made lazily) settle with that outcome', async () => {
  const relay = await relayOn();
  const { c: mp } = client(relay, 'miniapp');
  const { c: h5 } = client(relay, 'h5');
  mp.connect();
  h5.connect();
  await waitFor(() => mp.state === 'open' && h5.state === 'open');
  const acked: string[] = [];
  mp.on('ack', (e) => acked.push(e.id));
  const done = mp.emit('late', 1, { reliable: true, to: 'h5' });
  await waitFor(() => acked.length === 1);
  expect(await settled(done.delivered)).toBe('resolved');
  expect(await settled(done.accepted)).toBe('resolved');

  h5.pause();
  const accepted: string[] = [];
  mp.on('accepted', (e) => accepted.push(e.id));
  const held = mp.emit('late', 2, { reliable: true, to: 'h5' });
  await waitFor(() => accepted.length === 1);
  const heldAccepted = held.accepted;
  mp.destroy(); // gives it up: delivered rejects with CANCELLED, accepted stays resolved
  expect(await settled(heldAccepted)).toBe('resolved');
  await expect(held.delivered).rejects.toMatchObject({ code: 'CANCELLED' });
  // The same promise every time it is read.
  expect(held.delivered).toBe(held.delivered);
});

test('the receiver confirms at the end of the turn that handed the message to its app (no timer in between)', async () => {
  const relay = await relayOn();
  const { c: mp } = client(relay, 'miniapp');
  const { c: h5, sent } = client(relay, 'h5');
  mp.connect();
  h5.connect();
  await waitFor(() => mp.state === 'open' && h5.state === 'open');
  const onWireBy: number[] = [];
  h5.subscribe('n', () => {
    const before = sent.filter((t) => t === 'resume').length;
    // setImmediate runs right after this turn, before any timer: the confirmation is already written.
    setImmediate(() => onWireBy.push(sent.filter((t) => t === 'resume').length - before));
  });
  for (let i = 0; i < 5; i++) await mp.emit('n', i, { reliable: true, to: 'h5' }).delivered;
  await waitFor(() => onWireBy.length === 5);
  expect(onWireBy).toEqual([1, 1, 1, 1, 1]);
});

test('a sender confirms its delivered notices with its next write, or alone within 50 ms: never one message per notice', async () => {
  const relay = await relayOn();
  const { c: mp, messages } = client(relay, 'miniapp');
  const { c: h5 } = client(relay, 'h5');
  mp.connect();
  h5.connect();
  await waitFor(() => mp.state === 'open' && h5.state === 'open');
  await sleep(50);
  const from = messages.length;
  // Closed loop: each message goes out in the turn its predecessor's notice arrived.
  for (let i = 0; i < 30; i++) await mp.emit('n', i, { reliable: true, to: 'h5' }).delivered;
  const during = messages.slice(from);
  expect(during.filter((types) => types.includes('message'))).toHaveLength(29 + 1);
  expect(during.filter((types) => types.every((t) => t === 'resume'))).toEqual([]); // each confirmation rode with a message
  expect(during.flat().filter((t) => t === 'resume').length).toBeGreaterThanOrEqual(25);
  // The last notice has no write to ride on: its confirmation goes alone once the client is quiet.
  await sleep(30);
  expect(messages.slice(from + during.length).flat()).not.toContain('resume');
  await waitFor(() => messages.slice(from + during.length).some((types) => types.includes('resume')), 1000, 'the lone confirmation');
  expect(mp.stats().lastSeq).toBeGreaterThan(0);
});

test('frames nobody waits on (unreliable messages) are confirmed every 32 frames or within 50 ms, not once per read', async () => {
  const relay = await relayOn();
  const { c: mp } = client(relay, 'miniapp');
  const { c: h5, confirmed } = client(relay, 'h5');
  const got: number[] = [];
  h5.subscribe('n', (d) => got.push(d as number));
  mp.connect();
  h5.connect();
  await waitFor(() => mp.state === 'open' && h5.state === 'open');
  await sleep(100);
  const from = confirmed.length;
  const started = Date.now();
  for (let i = 0; i < 100; i++) {
    mp.emit('n', i, { to: 'h5' });
    await waitFor(() => got.length === i + 1); // each arrives in a read of its own
  }
  const elapsed = Date.now() - started;
  const during = confirmed.slice(from);
  expect(during.length).toBeGreaterThanOrEqual(3); // at least every 32nd frame
  expect(during.length).toBeLessThanOrEqual(Math.ceil(100 / 32) + Math.ceil(elapsed / 50) + 1); // not 100
  // The rest is confirmed within 50 ms though nothing else is written: the relay can trim all of it.
  await waitFor(() => confirmed[confirmed.length - 1] === h5.stats().lastSeq, 1000, 'the last confirmation');
  expect(got).toEqual(Array.from({ length: 100 }, (_, i) => i));
});

test('large frames nobody waits on are confirmed once 64 K characters of them wait, without waiting 50 ms', async () => {
  const relay = await relayOn();
  const { c: mp } = client(relay, 'miniapp');
  const { c: h5, confirmed } = client(relay, 'h5');
  const seen: Array<{ at: number; confirmedBy: Promise<number> }> = [];
  h5.subscribe('big', () => {
    const before = confirmed.length;
    seen.push({ at: h5.stats().lastSeq, confirmedBy: new Promise((resolve) => setImmediate(() => resolve(confirmed.length - before))) });
  });
  mp.connect();
  h5.connect();
  await waitFor(() => mp.state === 'open' && h5.state === 'open');
  await sleep(100);
  const big = 'x'.repeat(30_000);
  for (let i = 0; i < 3; i++) mp.emit('big', big, { to: 'h5' });
  await waitFor(() => seen.length === 3);
  // Two frames (60 K characters) wait; the third passes 64 K: confirmed at the end of its turn.
  expect(await seen[2].confirmedBy).toBe(1);
  expect(confirmed[confirmed.length - 1]).toBe(seen[2].at);
});
