import { TestClient, closeAll, relayFactory, settle } from './helpers';

// Generous safety limit for loaded CI machines; the tests assert counts, not speed.
jest.setTimeout(20000);

const relayWith = relayFactory();

const data = (frames: Array<{ type: string; data?: unknown }>) => frames.filter((f) => f.type === 'message').map((f) => f.data);

describe('backlog and replay while a peer reconnects', () => {
  test('frames sent while the peer is away are replayed after its lastSeq, once, in order', async () => {
    const relay = await relayWith();
    let mp = await TestClient.open(relay, 'r1', 'miniapp', 0);
    const h5 = await TestClient.open(relay, 'r1', 'h5', 0);
    for (let i = 0; i < 3; i++) h5.send({ type: 'message', data: i });
    await mp.count((f) => f.type === 'message', 3);
    const lastSeq = mp.lastSeq;
    await mp.close();
    for (let i = 3; i < 8; i++) h5.send({ type: 'message', id: `m${i}`, data: i });
    await h5.count((f) => f.type === 'ack', 5); // accepted by the relay although the peer is away
    mp = await TestClient.open(relay, 'r1', 'miniapp', lastSeq);
    const replayed = await mp.count((f) => f.type === 'message', 5);
    expect(replayed.map((f) => f.data)).toEqual([3, 4, 5, 6, 7]);
    expect(replayed.every((f) => f.seq > lastSeq)).toBe(true);
    h5.send({ type: 'message', data: 'live' });
    await mp.next((f) => f.data === 'live');
    await settle();
    expect(data(mp.frames)).toEqual([3, 4, 5, 6, 7, 'live']);
    await closeAll([mp, h5]);
  });

  test('a message for a peer that never connected waits for it (h5 ⇄ miniapp are paired by default)', async () => {
    const relay = await relayWith();
    const mp = await TestClient.open(relay, 'r2', 'miniapp', 0);
    mp.send({ type: 'message', id: 'early', data: 'before h5 existed' });
    await mp.next((f) => f.type === 'ack' && f.id === 'early');
    const h5 = await TestClient.open(relay, 'r2', 'h5', 0);
    expect(await h5.next((f) => f.type === 'message')).toMatchObject({ id: 'early', data: 'before h5 existed', from: 'miniapp' });
    await closeAll([mp, h5]);
  });

  test('a lone custom env with no peer gets OFFLINE instead of an ack', async () => {
    const relay = await relayWith();
    const a = await TestClient.open(relay, 'r3', 'kiosk', 0);
    a.send({ type: 'message', id: 'x1', data: 1 });
    expect(await a.next((f) => f.type === 'error')).toMatchObject({ code: 'OFFLINE', id: 'x1' });
    expect(a.of('ack')).toHaveLength(0);
    await a.close();
  });

  test('the backlog is bounded: the oldest frames go first and are counted as drops', async () => {
    const relay = await relayWith({ backlogItems: 5 });
    const h5 = await TestClient.open(relay, 'r4', 'h5', 0);
    for (let i = 0; i < 8; i++) h5.send({ type: 'message', id: `b${i}`, data: i });
    await h5.count((f) => f.type === 'ack', 8);
    const mp = await TestClient.open(relay, 'r4', 'miniapp', 0);
    await mp.count((f) => f.type === 'message', 5);
    await settle();
    expect(data(mp.frames)).toEqual([3, 4, 5, 6, 7]);
    expect(relay.metrics().drops.backlog_overflow).toBe(3);
    await closeAll([mp, h5]);
  });

  test('the backlog is time-limited', async () => {
    const relay = await relayWith({ backlogTtlMs: 100 });
    const h5 = await TestClient.open(relay, 'r5', 'h5', 0);
    h5.send({ type: 'message', id: 'old', data: 'stale' });
    await h5.next((f) => f.type === 'ack');
    await settle(250);
    h5.send({ type: 'message', id: 'new', data: 'fresh' });
    await h5.next((f) => f.type === 'ack' && f.id === 'new');
    const mp = await TestClient.open(relay, 'r5', 'miniapp', 0);
    await mp.next((f) => f.type === 'message');
    await settle();
    expect(data(mp.frames)).toEqual(['fresh']);
    await closeAll([mp, h5]);
  });

  test('lastSeq in a ping trims what the client confirmed', async () => {
    const relay = await relayWith();
    let mp = await TestClient.open(relay, 'r6', 'miniapp', 0);
    const h5 = await TestClient.open(relay, 'r6', 'h5', 0);
    for (let i = 0; i < 4; i++) h5.send({ type: 'message', data: i });
    await mp.count((f) => f.type === 'message', 4);
    const confirmed = mp.frames.find((f) => f.data === 1)!.seq;
    mp.send({ type: 'ping', ts: 1, lastSeq: confirmed });
    await mp.next((f) => f.type === 'pong');
    await mp.close();
    // Resuming from 0 now gets only what was not confirmed: the ping trimmed 0 and 1.
    mp = await TestClient.open(relay, 'r6', 'miniapp', 0);
    await mp.count((f) => f.type === 'message', 2);
    await settle();
    expect(data(mp.frames)).toEqual([2, 3]);
    await closeAll([mp, h5]);
  });

  test('a client that never sends resume gets every frame its env did not confirm (written is not read); a ping with lastSeq confirms', async () => {
    const relay = await relayWith({ resumeWaitMs: 50 });
    const h5 = await TestClient.open(relay, 'r7', 'h5', 0);
    h5.send({ type: 'message', id: 'q1', data: 'queued' });
    await h5.next((f) => f.type === 'ack');
    let mp = await TestClient.open(relay, 'r7', 'miniapp'); // no resume
    await mp.next((f) => f.type === 'message');
    h5.send({ type: 'message', data: 'live' });
    await mp.next((f) => f.data === 'live');
    await mp.close();
    // Nothing confirmed: both come again (the sender was told nothing about q1 meanwhile).
    mp = await TestClient.open(relay, 'r7', 'miniapp');
    await mp.count((f) => f.type === 'message', 2);
    expect(data(mp.frames)).toEqual(['queued', 'live']);
    expect(h5.of('delivered')).toHaveLength(0);
    mp.send({ type: 'ping', lastSeq: mp.lastSeq });
    expect(await h5.next((f) => f.type === 'delivered')).toMatchObject({ ids: ['q1'] });
    await mp.close();
    h5.send({ type: 'message', id: 'q2', data: 'while away' });
    await h5.next((f) => f.type === 'ack' && f.id === 'q2');
    mp = await TestClient.open(relay, 'r7', 'miniapp');
    await mp.next((f) => f.type === 'message');
    await settle(150);
    expect(data(mp.frames)).toEqual(['while away']);
    await closeAll([mp, h5]);
  });

  test('under steady traffic with repeated reconnects nothing is lost or doubled', async () => {
    const relay = await relayWith({ ratePerSecond: 0 });
    const h5 = await TestClient.open(relay, 'r8', 'h5', 0);
    let mp = await TestClient.open(relay, 'r8', 'miniapp', 0);
    const received: unknown[] = [];
    let lastSeq = 0;
    const total = 300;
    let sent = 0;
    const collect = (c: TestClient) => {
      for (const f of c.frames) {
        if (f.type !== 'message') continue;
        expect(f.seq).toBeGreaterThan(lastSeq); // never a frame the client already had
        received.push(f.data);
        lastSeq = f.seq;
      }
    };
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < total / 4; i++) h5.send({ type: 'message', data: sent++ });
      await settle(round % 2 ? 0 : 5); // close sometimes while frames are in flight
      await mp.close();
      collect(mp);
      mp = await TestClient.open(relay, 'r8', 'miniapp', lastSeq);
    }
    await mp.count((f) => f.type === 'message', 1).catch(() => undefined);
    await settle(200);
    collect(mp);
    // The raw frames, not only the deduped view, must hold no repeats across reconnects.
    expect(received).toEqual(Array.from({ length: total }, (_, i) => i));
    await closeAll([mp, h5]);
  });
});
