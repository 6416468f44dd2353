/**
 * SocketClient messaging: queue bounds and overflow policies, reliable delivery across forced
 * disconnects, request/response, relay-format frames. Requests, also across cuts, go through our
 * relay (src/server; cuts by a TCP proxy in front of it); the rest needs a relay that records
 * every frame, withholds acks and forges frames (test/helpers/misbehaving-relay.ts).
 */
import { Frame, MessageFrame } from '../../src/core/frames';
import { HybridError } from '../../src/core/errors';
import { SocketClient } from '../../src/core/socket';
import { ProxiedRelayRig, Rig, sleep, startMisbehavingRig, startProxiedRelayRig, startRelayRig, waitFor, waitState } from './socket-fixture';
import type { Relay } from '../server/helpers';

let rig: Rig;
beforeEach(async () => {
  rig = await startMisbehavingRig();
});
afterEach(() => rig.teardown());

const events = (frames: Array<Record<string, unknown>>) => frames.filter((f) => f.type === 'message').map((f) => f.data);

describe('queue until open', () => {
  test.each([
    ['drop-oldest', ['queued', 'queued', 'queued', 'queued', 'queued'], [3, 4, 5], 2],
    ['drop-newest', ['queued', 'queued', 'queued', 'refused', 'refused'], [1, 2, 3], 2],
    ['reject', ['queued', 'queued', 'queued', 'refused', 'refused'], [1, 2, 3], 2],
  ] as const)('%s: 5 sends into 3 slots', async (overflow, statuses, delivered, dropped) => {
    const c = rig.client({ queue: { maxItems: 3, overflow } });
    const drops: unknown[] = [];
    c.on('drop', (d) => drops.push((d.frame as MessageFrame).data));
    const results = [1, 2, 3, 4, 5].map((n) => c.emit('n', n));
    expect(results.map((r) => r.status)).toEqual(statuses);
    for (const r of results) if (r.status === 'refused') expect(r.error).toEqual(expect.objectContaining({ code: 'QUEUE_FULL' }));
    expect(c.stats()).toMatchObject({ queued: 3, dropped });
    expect(drops).toHaveLength(dropped);
    c.connect();
    await waitFor(() => events(rig.server.inbox).length === 3);
    expect(events(rig.server.inbox)).toEqual(delivered);
    expect(c.stats().queued).toBe(0);
  });

  test('bounded by bytes too, and a frame that can never fit is refused', () => {
    const c = rig.client({ queue: { maxItems: 100, maxBytes: 200, overflow: 'reject' } });
    expect(c.emit('a', 'x'.repeat(100)).status).toBe('queued');
    const second = c.emit('a', 'x'.repeat(100));
    expect(second).toMatchObject({ status: 'refused', error: expect.objectContaining({ code: 'QUEUE_FULL' }) });
    expect(c.emit('a', 'x'.repeat(500)).error?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(c.stats().queued).toBe(1);
    expect(c.stats().queuedBytes).toBeLessThanOrEqual(200);
  });

  test('per-message TTL: expired frames are dropped, never delivered', async () => {
    const c = rig.client();
    c.emit('old', 1, { ttl: 20 });
    c.emit('fresh', 2);
    const drops: string[] = [];
    c.on('drop', (d) => drops.push(d.reason));
    await sleep(40);
    c.connect();
    await waitFor(() => events(rig.server.inbox).length === 1);
    await sleep(30);
    expect(events(rig.server.inbox)).toEqual([2]);
    expect(drops).toEqual(['expired']);
  });

  test('send() says sent once open; legacy {type, data} frames go out as they are', async () => {
    const c = rig.client();
    c.connect();
    await waitState(c, 'open');
    expect(c.send({ type: 'addMaterial', data: { id: 7 } }).status).toBe('sent');
    await waitFor(() => rig.server.inbox.some((f) => f.type === 'addMaterial'));
    expect(rig.server.inbox.find((f) => f.type === 'addMaterial')).toEqual({ type: 'addMaterial', data: { id: 7 } });
  });
});

describe('reliable messages', () => {
  test('acked by the relay, resent after an ack timeout, delivered once', async () => {
    const c = rig.client({ ackTimeout: 50 });
    c.connect();
    await waitState(c, 'open');
    rig.server.ackMessages = false;
    const r = c.emit('important', 1, { reliable: true });
    expect(r.status).toBe('sent');
    await waitFor(() => (rig.server.receivedIds.get(r.id!) || 0) >= 2, 2000, 'a resend');
    expect(c.stats().unacked).toBe(1);
    rig.server.ackMessages = true;
    await waitFor(() => c.stats().unacked === 0);
  });

  test('a server error frame ends a refused reliable message (except RATE_LIMITED) and a refused request', async () => {
    const c = rig.client({ ackTimeout: 10000 });
    c.connect();
    await waitState(c, 'open');
    rig.server.ackMessages = false;
    const limited = c.emit('a', 1, { reliable: true });
    const refused = c.emit('a', 2, { reliable: true });
    const serverErrors: string[] = [];
    c.on('server-error', (e) => serverErrors.push(e.code));
    rig.server.pushRaw('t1', 'miniapp', JSON.stringify({ type: 'error', code: 'RATE_LIMITED', message: 'slow down', id: limited.id }));
    rig.server.pushRaw('t1', 'miniapp', JSON.stringify({ type: 'error', code: 'PAYLOAD_TOO_LARGE', message: 'no', id: refused.id }));
    await waitFor(() => serverErrors.length === 2);
    expect(c.stats().unacked).toBe(1); // the rate-limited one waits for its resend
    const req = c.request('slow', null, { to: 'h5' });
    await waitFor(() => rig.server.inbox.some((f) => f.type === 'request'));
    const id = rig.server.inbox.find((f) => f.type === 'request')!.id;
    rig.server.pushRaw('t1', 'miniapp', JSON.stringify({ type: 'error', code: 'UNAUTHORIZED', message: 'who?', id }));
    await expect(req).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: 'who?' });
  });

  test('the unacked window is bounded: QUEUE_FULL refuses new ones, keeps the accepted', async () => {
    const c = rig.client({ maxUnacked: 2 });
    expect(c.emit('a', 1, { reliable: true }).status).toBe('queued');
    expect(c.emit('a', 2, { reliable: true }).status).toBe('queued');
    expect(c.emit('a', 3, { reliable: true })).toMatchObject({ status: 'refused', error: expect.objectContaining({ code: 'QUEUE_FULL' }) });
    c.connect();
    await waitFor(() => c.stats().unacked === 0);
    expect(events(rig.server.inbox)).toEqual([1, 2]);
  });
});

/** A miniapp and an h5 client of one token, both open. */
async function openPair(on: Rig<unknown>): Promise<{ mp: SocketClient; h5: SocketClient }> {
  const mp = on.client({ env: 'miniapp' });
  const h5 = on.client({ env: 'h5' });
  mp.connect();
  h5.connect();
  await waitFor(() => mp.state === 'open' && h5.state === 'open');
  return { mp, h5 };
}

describe('requests through our relay', () => {
  let relayRig: Rig<Relay>;
  let mp: SocketClient;
  let h5: SocketClient;
  beforeEach(async () => {
    relayRig = await startRelayRig();
    ({ mp, h5 } = await openPair(relayRig));
  });
  afterEach(() => relayRig.teardown());

  test('served by the peer through onRequest; errors come back with their code', async () => {
    h5.onRequest((api, params) => {
      if (api === 'sum') return (params as number[]).reduce((a, b) => a + b, 0);
      if (api === 'slow') return new Promise((resolve) => setTimeout(() => resolve('late'), 20));
      throw new HybridError('UNAUTHORIZED', 'not you');
    });
    await expect(mp.request('sum', [1, 2, 3], { to: 'h5' })).resolves.toBe(6);
    await expect(mp.request('slow', null, { to: 'h5' })).resolves.toBe('late');
    await expect(mp.request('secret', null, { to: 'h5' })).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: 'not you' });
  });

  test('no handler → METHOD_NOT_FOUND; no answer → TIMEOUT', async () => {
    await expect(mp.request('x', 1, { to: 'h5' })).rejects.toMatchObject({ code: 'METHOD_NOT_FOUND' });
    h5.onRequest(() => new Promise(() => undefined));
    await expect(mp.request('x', 1, { to: 'h5', timeout: 50 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(mp.stats().pendingRequests).toBe(0);
  });
});

describe('across cuts, through our relay behind a TCP proxy', () => {
  let cutRig: ProxiedRelayRig;
  beforeEach(async () => {
    cutRig = await startProxiedRelayRig();
  });
  afterEach(() => cutRig.teardown());

  test('pending requests are rejected when the connection drops (OFFLINE) or on close() (CANCELLED)', async () => {
    const { mp, h5 } = await openPair(cutRig);
    let served = 0;
    h5.onRequest(() => {
      served++;
      return new Promise(() => undefined);
    });
    const lost = mp.request('x', 1, { to: 'h5' });
    await waitFor(() => served === 1);
    cutRig.cut();
    await expect(lost).rejects.toMatchObject({ code: 'OFFLINE' });
    await waitState(mp, 'open');
    const cancelled = mp.request('x', 2, { to: 'h5' });
    mp.close();
    await expect(cancelled).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(mp.stats().pendingRequests).toBe(0);
  });

  test('a request made while offline waits in the queue and goes out on open', async () => {
    const { mp, h5 } = await openPair(cutRig);
    h5.onRequest((_api, params) => params);
    mp.close();
    await waitState(mp, 'closed');
    const answer = mp.request('echo', { q: 1 }, { to: 'h5' });
    expect(mp.stats().queued).toBe(1);
    mp.connect();
    await expect(answer).resolves.toEqual({ q: 1 });
  });

  test('thousands across repeated forced disconnects: every message received exactly once, in both directions', async () => {
    // No rate limit and room for every frame while a receiver is cut off: what is under test is the
    // resend and dedupe, not the relay's limits (test/server covers those). resumeWaitMs 5: most
    // reconnects are served before their `resume` is read, the path that once reported frames
    // written to a cut socket as delivered.
    const rig = await startProxiedRelayRig({ resumeWaitMs: 5, ratePerSecond: 0, backlogItems: 100_000, backlogBytes: 64 * 1024 * 1024 });
    try {
      const TOTAL = 2000;
      const opts = { ackTimeout: 100, maxUnacked: TOTAL, backoff: { base: 2, cap: 10 } };
      const mp = rig.client({ env: 'miniapp', ...opts });
      const h5 = rig.client({ env: 'h5', ...opts });
      const got = { mp: new Map<number, number>(), h5: new Map<number, number>() };
      h5.subscribe('n', (data) => got.h5.set(data as number, (got.h5.get(data as number) || 0) + 1));
      mp.subscribe('n', (data) => got.mp.set(data as number, (got.mp.get(data as number) || 0) + 1));
      h5.connect();
      mp.connect();
      await waitFor(() => mp.state === 'open' && h5.state === 'open');

      const undelivered: string[] = [];
      const deliveredTooEarly: string[] = [];
      for (const c of [mp, h5]) c.on('undelivered', (u) => undelivered.push(u.id));
      const outcomes: Array<Promise<void>> = [];
      let cuts = 0;
      const chaos = setInterval(() => {
        cuts++;
        rig.cut();
      }, 50);
      for (let i = 0; i < TOTAL; i++) {
        for (const [from, to] of [[mp, 'h5'], [h5, 'miniapp']] as const) {
          const result = from.emit('n', i, { reliable: true, to });
          expect(result.status).not.toBe('refused');
          outcomes.push(result.delivered!);
          // `delivered` means the receiving app has it: never before the receiver's subscriber ran.
          const receiver = to === 'h5' ? got.h5 : got.mp;
          result.delivered!.then(() => receiver.has(i) || deliveredTooEarly.push(`${to}:${i}`), () => undefined);
        }
        if (i % 20 === 19) await sleep(5);
      }
      clearInterval(chaos);
      await waitFor(() => got.h5.size === TOTAL && got.mp.size === TOTAL, 30000, 'every message');
      await waitFor(() => mp.stats().unacked === 0 && h5.stats().unacked === 0, 5000, 'every ack');

      expect(cuts).toBeGreaterThan(5);
      const metrics = rig.server.metrics();
      expect(metrics.connectionsTotal).toBeGreaterThan(10);
      for (const side of [got.h5, got.mp]) {
        expect(side.size).toBe(TOTAL);
        expect(Array.from(side.values()).every((count) => count === 1)).toBe(true);
      }
      // The relay took every message at least once (resends of what a cut lost count again).
      expect(metrics.messagesReceived).toBeGreaterThanOrEqual(2 * TOTAL);
      // Every sender learned the delivery of every message; none was given up.
      await expect(Promise.all(outcomes)).resolves.toHaveLength(2 * TOTAL);
      expect(undelivered).toEqual([]);
      expect(deliveredTooEarly).toEqual([]);
    } finally {
      await rig.teardown();
    }
  }, 50000);
});

describe('inbound', () => {
  test('subscribe by event, relay-format frames by type, doubly encoded text, bad frames reported', async () => {
    const c = rig.client();
    const seen: unknown[] = [];
    const errors: string[] = [];
    c.subscribe('addMaterial', (data) => seen.push(['legacy', data]));
    const off = c.subscribe('chat', (data) => seen.push(['chat', data]));
    c.on('error', (e) => errors.push(e.code));
    c.connect();
    await waitState(c, 'open');
    rig.server.push('t1', 'miniapp', { type: 'addMaterial', data: { id: 1 } });
    rig.server.push('t1', 'miniapp', { type: 'message', event: 'chat', data: 'hi' });
    await waitFor(() => seen.length === 2);
    off();
    rig.server.push('t1', 'miniapp', { type: 'message', event: 'chat', data: 'unheard' });
    // A raw socket write of broken and double-encoded frames (bypassing seq).
    const frames: Frame[] = [];
    c.on('frame', (f) => frames.push(f));
    rig.server.pushRaw('t1', 'miniapp', 'not json');
    rig.server.pushRaw('t1', 'miniapp', JSON.stringify(JSON.stringify({ type: 'addMaterial', data: { id: 2 } })));
    await waitFor(() => seen.length === 3);
    expect(seen).toEqual([['legacy', { id: 1 }], ['chat', 'hi'], ['legacy', { id: 2 }]]);
    expect(errors).toEqual(['BAD_REQUEST']);
    expect(frames.map((f) => f.type)).toEqual(['message', 'addMaterial']);
  });

  test('frames replayed at or below lastSeq are ignored; resume carries lastSeq', async () => {
    const c = rig.client();
    const got: unknown[] = [];
    c.subscribe('e', (d) => got.push(d));
    c.connect();
    await waitState(c, 'open');
    for (let i = 1; i <= 3; i++) rig.server.push('t1', 'miniapp', { type: 'message', event: 'e', data: i });
    await waitFor(() => got.length === 3);
    rig.server.pushRaw('t1', 'miniapp', JSON.stringify({ type: 'message', event: 'e', data: 'replayed', seq: 2 }));
    rig.server.dropAll();
    await waitFor(() => c.state === 'open' && rig.server.connections === 2);
    await waitFor(() => rig.server.inbox.filter((f) => f.type === 'resume').length === 2);
    expect(rig.server.inbox.filter((f) => f.type === 'resume').map((f) => f.lastSeq)).toEqual([0, 3]);
    expect(got).toEqual([1, 2, 3]);
    expect(c.stats().replays).toBe(1);
  });

  test.each([
    [3, [3, 6]],
    [0, []],
  ])('confirmEvery %d: a ping with lastSeq after every that many relay frames', async (confirmEvery, confirmed) => {
    const c = rig.client({ confirmEvery, heartbeatInterval: 0 });
    const got: unknown[] = [];
    c.subscribe('e', (d) => got.push(d));
    c.connect();
    await waitState(c, 'open');
    for (let i = 1; i <= 7; i++) rig.server.push('t1', 'miniapp', { type: 'message', event: 'e', data: i });
    await waitFor(() => got.length === 7);
    await sleep(50); // a confirm sent with the last frame has arrived by now
    const pings = rig.server.inbox.filter((f) => f.type === 'ping');
    expect(pings.map((f) => f.lastSeq)).toEqual(confirmed);
    expect(pings.every((f) => f.ts === undefined)).toBe(true);
  });
});
