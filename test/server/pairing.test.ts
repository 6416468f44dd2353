import { closeAll, Relay, settle, startRelay, TestClient } from './helpers';

let relay: Relay;
beforeAll(async () => {
  relay = await startRelay();
});
afterAll(() => relay.close());

describe('pairing and forwarding', () => {
  test('h5 and miniapp of one token exchange messages both ways, stamped with from and seq', async () => {
    const mp = await TestClient.open(relay, 'tok-a', 'miniapp', 0);
    const h5 = await TestClient.open(relay, 'tok-a', 'h5', 0);
    h5.send({ type: 'message', event: 'greet', data: { text: 'from h5' } });
    const atMp = await mp.next((f) => f.type === 'message');
    expect(atMp).toMatchObject({ type: 'message', event: 'greet', data: { text: 'from h5' }, from: 'h5' });
    expect(Number.isSafeInteger(atMp.seq)).toBe(true);

    mp.send({ type: 'message', data: 'from mp' });
    const atH5 = await h5.next((f) => f.type === 'message');
    expect(atH5).toMatchObject({ data: 'from mp', from: 'miniapp' });
    expect(mp.of('message')).toHaveLength(1); // the sender never gets its own frame back
    await closeAll([mp, h5]);
  });

  test('seq increases per token+env and a forged from/seq is overwritten', async () => {
    const mp = await TestClient.open(relay, 'tok-seq', 'miniapp', 0);
    const h5 = await TestClient.open(relay, 'tok-seq', 'h5', 0);
    for (let i = 0; i < 5; i++) h5.send({ type: 'message', data: i, from: 'admin', seq: 999999999999999 });
    const got = await mp.count((f) => f.type === 'message', 5);
    expect(got.map((f) => f.data)).toEqual([0, 1, 2, 3, 4]);
    expect(got.every((f) => f.from === 'h5')).toBe(true);
    const seqs = got.map((f) => f.seq);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1] + 1);
    expect(seqs[0]).toBeLessThan(Number.MAX_SAFE_INTEGER); // starts at the clock in µs: exact in JSON and JS
    await closeAll([mp, h5]);
  });

  test('hello lists the peers online; presence tells each side when its peer comes and goes', async () => {
    const mp = await TestClient.open(relay, 'tok-p', 'miniapp');
    expect(mp.frames[0]).toEqual({
      type: 'hello', v: 1, env: 'miniapp', peers: [], receipts: true, store: expect.stringMatching(/^[0-9a-f]{16}$/),
      batch: { frames: 128, bytes: relay.options.maxFrameBytes },
    });
    const h5 = await TestClient.open(relay, 'tok-p', 'h5');
    expect(h5.frames[0]).toMatchObject({ type: 'hello', env: 'h5', peers: ['miniapp'] });
    expect(await mp.next((f) => f.type === 'presence')).toEqual({ type: 'presence', env: 'h5', online: true });
    await h5.close();
    expect(await mp.next((f) => f.type === 'presence' && !f.online)).toEqual({ type: 'presence', env: 'h5', online: false });
    await mp.close();
  });

  test('a new connection for the same token+env replaces the old one with 4500, without a presence flap', async () => {
    const mp = await TestClient.open(relay, 'tok-r', 'miniapp', 0);
    const h5old = await TestClient.open(relay, 'tok-r', 'h5', 0);
    await mp.next((f) => f.type === 'presence');
    const h5new = await TestClient.open(relay, 'tok-r', 'h5', 0);
    expect(await h5old.waitClose()).toBe(4500);
    expect(h5old.closeReason).toMatch(/replaced/);
    mp.send({ type: 'message', data: 'who gets it' });
    await h5new.next((f) => f.type === 'message');
    await settle();
    expect(h5old.of('message')).toHaveLength(0);
    expect(mp.of('presence')).toEqual([{ type: 'presence', env: 'h5', online: true }]);
    expect(relay.metrics().closes['4500']).toBe(1);
    await closeAll([mp, h5new]);
  });

  test('any named env can join; "to" targets one env, no "to" reaches every other env', async () => {
    const mp = await TestClient.open(relay, 'tok-n', 'miniapp', 0);
    const h5 = await TestClient.open(relay, 'tok-n', 'h5', 0);
    const admin = await TestClient.open(relay, 'tok-n', 'admin', 0);
    admin.send({ type: 'message', data: 'only mp', to: 'miniapp' });
    await mp.next((f) => f.data === 'only mp');
    admin.send({ type: 'message', data: 'everyone' });
    await mp.next((f) => f.data === 'everyone');
    await h5.next((f) => f.data === 'everyone');
    await settle();
    expect(h5.frames.some((f) => f.data === 'only mp')).toBe(false);
    expect(admin.of('message')).toHaveLength(0);
    await closeAll([mp, h5, admin]);
  });

  test('acks, requests/responses and relay-format {type,data} frames are forwarded', async () => {
    const mp = await TestClient.open(relay, 'tok-f', 'miniapp', 0);
    const h5 = await TestClient.open(relay, 'tok-f', 'h5', 0);
    h5.send({ type: 'message', id: 'm1', data: 'reliable' });
    expect(await h5.next((f) => f.type === 'ack')).toEqual({ type: 'ack', id: 'm1' }); // the relay accepted it
    await mp.next((f) => f.type === 'message' && f.id === 'm1');
    mp.send({ type: 'ack', id: 'm1' });
    expect(await h5.next((f) => f.type === 'ack' && f.from === 'miniapp')).toMatchObject({ id: 'm1' });

    h5.send({ type: 'request', id: 'r1', api: 'getUser', params: { a: 1 } });
    expect(await mp.next((f) => f.type === 'request')).toMatchObject({ id: 'r1', api: 'getUser', params: { a: 1 }, from: 'h5' });
    mp.send({ type: 'response', id: 'r1', ok: true, data: { name: 'x' } });
    expect(await h5.next((f) => f.type === 'response')).toMatchObject({ id: 'r1', ok: true, data: { name: 'x' }, from: 'miniapp' });

    h5.send({ type: 'addMaterial', data: { id: 7 } });
    expect(await mp.next((f) => f.type === 'addMaterial')).toMatchObject({ type: 'addMaterial', data: { id: 7 }, from: 'h5' });
    await closeAll([mp, h5]);
  });

  test('app-level ping gets a pong with the same ts', async () => {
    const h5 = await TestClient.open(relay, 'tok-ping', 'h5', 0);
    h5.send({ type: 'ping', ts: 42, lastSeq: 0 });
    expect(await h5.next((f) => f.type === 'pong')).toEqual({ type: 'pong', ts: 42 });
    await h5.close();
  });

  test('metrics count connections, pairs and messages', async () => {
    const mp = await TestClient.open(relay, 'tok-m', 'miniapp', 0);
    const h5 = await TestClient.open(relay, 'tok-m', 'h5', 0);
    const before = relay.metrics().messagesForwarded;
    h5.send({ type: 'message', data: 1 });
    await mp.next((f) => f.type === 'message');
    const m = relay.metrics();
    expect(m.connections).toBe(2);
    expect(m.pairs).toBe(1);
    expect(m.messagesForwarded).toBe(before + 1);
    const text = await relay.prometheus();
    expect(text).toMatch(/^hybrid_kit_connections 2$/m);
    expect(text).toMatch(/^hybrid_kit_pairs 1$/m);
    expect(text).toMatch(/^# TYPE hybrid_kit_messages_forwarded_total counter$/m);
    await closeAll([mp, h5]);
  });
});
