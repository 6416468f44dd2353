/**
 * The delivery outcome of reliable messages (`ack` / `undelivered` events, `delivered` promise,
 * retry with the same id) and stacked request handlers: through our relay (src/server) where it
 * can play the part, else against a relay that withholds acks and forges error frames on demand
 * (test/helpers/misbehaving-relay.ts).
 */
import { HybridError } from '../../src/core/errors';
import { AckEvent, SocketClient, UndeliveredEvent } from '../../src/core/socket';
import type { Relay } from '../server/helpers';
import { Rig, sleep, startMisbehavingRig, startRelayRig, waitFor, waitState } from './socket-fixture';

let rig: Rig;
beforeEach(async () => {
  rig = await startMisbehavingRig();
});
afterEach(() => rig.teardown());

/** Records every outcome event of a client. */
function outcomes(client: SocketClient) {
  const acks: AckEvent[] = [];
  const undelivered: UndeliveredEvent[] = [];
  client.on('ack', (e) => acks.push(e));
  client.on('undelivered', (e) => undelivered.push(e));
  return { acks, undelivered };
}

/** An open miniapp + h5 pair; `seen` collects the `chat` data delivered to h5. */
async function openPair(on: Rig<unknown> = rig): Promise<{ mp: SocketClient; h5: SocketClient; seen: unknown[] }> {
  const mp = on.client({ env: 'miniapp' });
  const h5 = on.client({ env: 'h5' });
  const seen: unknown[] = [];
  h5.subscribe('chat', (data) => seen.push(data));
  mp.connect();
  h5.connect();
  await waitFor(() => mp.state === 'open' && h5.state === 'open');
  return { mp, h5, seen };
}

describe('through our relay (the built src/server)', () => {
  let ours: Rig<Relay>;
  beforeEach(async () => {
    ours = await startRelayRig();
  });
  afterEach(() => ours.teardown());

  test('an acked message: one `ack` event with its id and event, `delivered` resolves', async () => {
    const { mp, h5, seen } = await openPair(ours);
    const out = outcomes(mp);
    const result = mp.emit('chat', { text: 'hi' }, { reliable: true, to: 'h5' });
    expect(result).toMatchObject({ status: 'sent', id: expect.any(String) });
    await expect(result.delivered).resolves.toBeUndefined();
    // the relay's ack (accepted) and its delivered notice both arrive: the outcome is reported once
    await sleep(50);
    expect(out.acks).toEqual([{ id: result.id, event: 'chat' }]);
    expect(out.undelivered).toEqual([]);
    expect(seen).toEqual([{ text: 'hi' }]);
    expect(mp.stats().unacked).toBe(0);
  });


  test('deliveryTimeout applies while offline too; 0 (default) keeps a message until acked', async () => {
    const peer = ours.client({ env: 'h5' });
    const seen: unknown[] = [];
    peer.subscribe('chat', (data) => seen.push(data));
    peer.connect();
    await waitState(peer, 'open');
    const c = ours.client({ deliveryTimeout: 40 });
    const out = outcomes(c);
    const gone = c.emit('chat', 1, { reliable: true, to: 'h5' });
    const kept = c.emit('chat', 2, { reliable: true, to: 'h5', ttl: 0 });
    expect([gone.status, kept.status]).toEqual(['queued', 'queued']);
    await expect(gone.delivered).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(out.undelivered.map((u) => [u.id, u.reason])).toEqual([[gone.id, 'expired']]);
    expect(c.stats().unacked).toBe(1);
    c.connect();
    await kept.delivered;
    expect(seen).toEqual([2]); // the expired one never went out
    expect(out.acks.map((a) => a.id)).toEqual([kept.id]);
  });


  test('a full unacked window refuses (QUEUE_FULL) and reports it; what was accepted is still delivered', async () => {
    const peer = ours.client({ env: 'h5' });
    peer.connect();
    await waitState(peer, 'open');
    const c = ours.client({ maxUnacked: 1 });
    const out = outcomes(c);
    const accepted = c.emit('chat', 'a', { reliable: true, to: 'h5' });
    const refused = c.emit('chat', 'b', { reliable: true, to: 'h5', id: 'mine-1' });
    expect(refused).toMatchObject({ status: 'refused', id: 'mine-1', error: expect.objectContaining({ code: 'QUEUE_FULL' }) });
    await expect(refused.delivered).rejects.toMatchObject({ code: 'QUEUE_FULL' });
    expect(out.undelivered.map((u) => [u.id, u.reason, u.error.code])).toEqual([['mine-1', 'refused', 'QUEUE_FULL']]);
    c.connect();
    await accepted.delivered;
    expect(out.acks.map((a) => a.id)).toEqual([accepted.id]);
  });


  test('handlers stack: the most recent live one answers; removing it hands over; none left → METHOD_NOT_FOUND', async () => {
    const { mp, h5 } = await openPair(ours);
    const offFirst = mp.onRequest((api) => `first:${api}`);
    const offSecond = mp.onRequest((api) => `second:${api}`);
    await expect(h5.request('who', null, { to: 'miniapp' })).resolves.toBe('second:who');
    offFirst(); // a page below leaves: the top one keeps answering
    await expect(h5.request('who', null, { to: 'miniapp' })).resolves.toBe('second:who');
    const offThird = mp.onRequest((api) => `third:${api}`);
    offThird();
    offThird(); // idempotent
    await expect(h5.request('who', null, { to: 'miniapp' })).resolves.toBe('second:who');
    offSecond();
    await expect(h5.request('who', null, { to: 'miniapp' })).rejects.toMatchObject({ code: 'METHOD_NOT_FOUND' });
  });
});

describe('ack', () => {
  test('across a forced reconnect: unacked on the lost connection, resent on the next, acked once', async () => {
    const { mp, h5, seen } = await openPair();
    const out = outcomes(mp);
    rig.server.ackMessages = false;
    h5.close(); // offline peer: its own ack (forwarded by the relay) cannot settle the message either
    await waitState(h5, 'closed');
    const first = mp.emit('chat', 1, { reliable: true, to: 'h5' });
    await waitFor(() => rig.server.receivedIds.get(first.id!) === 1, 3000, 'the first copy');
    // emitted the moment the connection is lost, before the reconnect (which may take 0 ms of backoff)
    const lost = new Promise<ReturnType<SocketClient['emit']>>((resolve) => {
      const off = mp.on('close', () => {
        off();
        resolve(mp.emit('chat', 2, { reliable: true, to: 'h5' }));
      });
    });
    rig.server.dropAll(); // the ack for the first never comes on this connection
    const offline = await lost;
    expect(offline.status).toBe('queued');
    rig.server.ackMessages = true;
    await Promise.all([first.delivered, offline.delivered]);
    expect(mp.stats().generation).toBeGreaterThan(1);
    expect(rig.server.receivedIds.get(first.id!)).toBeGreaterThanOrEqual(2);
    expect(out.acks.map((a) => a.id)).toEqual([first.id, offline.id]);
    h5.connect();
    await waitFor(() => seen.length === 2, 3000, 'both messages at h5');
    await sleep(30);
    expect(seen).toEqual([1, 2]); // the resent copy is acked again but delivered once
    expect(out.undelivered).toEqual([]);
  });
});

describe('undelivered', () => {
  test('ttl: a server that withholds acks → expired (TIMEOUT) after resends; retry with the same id → acked, delivered once', async () => {
    const { mp, h5, seen } = await openPair();
    const out = outcomes(mp);
    rig.server.ackMessages = false;
    // the peer's own ack is what the relay forwards back; keep it from reaching mp too
    h5.close();
    await waitState(h5, 'closed');
    const result = mp.emit('chat', 'hello', { reliable: true, to: 'h5', ttl: 700 });
    await expect(result.delivered).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(out.undelivered).toEqual([{ id: result.id, event: 'chat', reason: 'expired', error: expect.any(HybridError) }]);
    expect(out.acks).toEqual([]);
    expect(rig.server.receivedIds.get(result.id!)).toBeGreaterThanOrEqual(2); // resent every ackTimeout (300 ms)
    expect(mp.stats().unacked).toBe(0);
    rig.server.ackMessages = true;
    h5.connect();
    const retry = mp.emit('chat', 'hello', { reliable: true, to: 'h5', id: result.id });
    expect(retry.id).toBe(result.id);
    await retry.delivered;
    expect(out.acks).toEqual([{ id: result.id, event: 'chat' }]);
    await waitFor(() => seen.length === 1);
    await sleep(50);
    expect(seen).toEqual(['hello']); // every copy replayed to h5, delivered once
    expect(h5.stats().duplicates).toBeGreaterThanOrEqual(1);
  });

  test('an error frame from the server for the id → refused with its code; RATE_LIMITED keeps it for a resend', async () => {
    const c = rig.client();
    c.connect();
    await waitState(c, 'open');
    const out = outcomes(c);
    rig.server.ackMessages = false;
    const limited = c.emit('chat', 1, { reliable: true });
    const forbidden = c.emit('chat', 2, { reliable: true });
    // Both first copies must reach the server while it withholds acks, or the first copy of
    // `limited` could be acked and the resend never happen.
    await waitFor(() => rig.server.receivedIds.has(limited.id!) && rig.server.receivedIds.has(forbidden.id!));
    rig.server.pushRaw('t1', 'miniapp', JSON.stringify({ type: 'error', id: limited.id, code: 'RATE_LIMITED', message: 'slow down' }));
    rig.server.pushRaw('t1', 'miniapp', JSON.stringify({ type: 'error', id: forbidden.id, code: 'UNAUTHORIZED', message: 'not yours' }));
    await expect(forbidden.delivered).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: 'not yours' });
    expect(out.undelivered.map((u) => [u.id, u.reason])).toEqual([[forbidden.id, 'refused']]);
    rig.server.ackMessages = true;
    await limited.delivered; // resent after ackTimeout, then acked
    expect(rig.server.receivedIds.get(limited.id!)).toBeGreaterThanOrEqual(2);
  });

  test('destroy() gives every unacked message up (CANCELLED) before removing listeners; close() keeps them', async () => {
    const c = rig.client();
    const out = outcomes(c);
    const a = c.emit('chat', 1, { reliable: true, ttl: 5000 });
    const b = c.emit('chat', 2, { reliable: true });
    c.close();
    expect(c.stats().unacked).toBe(2);
    expect(out.undelivered).toEqual([]);
    c.destroy();
    await expect(a.delivered).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(b.delivered).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(out.undelivered.map((u) => u.reason)).toEqual(['destroyed', 'destroyed']);
    expect(c.stats().unacked).toBe(0);
    expect(c.busy).toBe(false);
  });
});

describe('ids', () => {
  test('an id still waiting for its ack is not sent twice; a bad id is BAD_REQUEST', async () => {
    const c = rig.client();
    c.connect();
    await waitState(c, 'open');
    rig.server.ackMessages = false;
    const first = c.emit('chat', 'x', { reliable: true, id: 'same' });
    const again = c.emit('chat', 'x', { reliable: true, id: 'same' });
    expect(again).toMatchObject({ status: 'sent', id: 'same' });
    expect(again.delivered).toBe(first.delivered);
    await waitFor(() => rig.server.receivedIds.get('same') === 1);
    await sleep(50);
    expect(rig.server.receivedIds.get('same')).toBe(1);
    expect(c.stats().unacked).toBe(1);
    expect(() => c.emit('chat', 'x', { reliable: true, id: '' })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(() => c.emit('chat', 'x', { reliable: true, id: 'x'.repeat(200) })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(c.stats().unacked).toBe(1);
  });
});

