/**
 * One contract, every hub: the same cases run against a relay on the memory hub and a relay on the
 * Redis hub (a real redis-server), over real sockets. A new hub joins the list below.
 */
import { AnyFrame, closeAll, redisRelays, Relay, RelayOptions, settle, startRelay, TestClient } from './helpers';

// Generous safety limit for loaded CI machines; the tests assert counts, not speed.
jest.setTimeout(20000);

const onRedis = redisRelays();
const open: Relay[] = [];
afterAll(() => Promise.all(open.map((r) => r.close())));

const HUBS: Array<[string, () => Partial<RelayOptions>]> = [
  ['memory', () => ({})],
  ['redis', () => ({ redisUrl: onRedis.redis.url, redisPrefix: onRedis.prefix() })],
];

const messages = (c: TestClient) => c.of('message');

describe.each(HUBS)('hub contract: %s', (_name, hubOptions) => {
  async function relayWith(options: Partial<RelayOptions> = {}): Promise<Relay> {
    const relay = await startRelay({ ...hubOptions(), ...options });
    open.push(relay);
    return relay;
  }

  test('pairing: h5 and miniapp of one token see each other and exchange stamped frames', async () => {
    const relay = await relayWith();
    const mp = await TestClient.open(relay, 'pair', 'miniapp', 0);
    const h5 = await TestClient.open(relay, 'pair', 'h5', 0);
    expect(h5.of('hello')[0]).toMatchObject({ env: 'h5', peers: ['miniapp'] });
    h5.send({ type: 'message', id: 'a', data: 1 });
    mp.send({ type: 'message', id: 'b', data: 2 });
    expect(await mp.next((f) => f.type === 'message')).toMatchObject({ id: 'a', from: 'h5', data: 1, seq: expect.any(Number) });
    expect(await h5.next((f) => f.type === 'message')).toMatchObject({ id: 'b', from: 'miniapp', data: 2 });
    expect(await h5.next((f) => f.type === 'ack')).toMatchObject({ id: 'a' });
    // Another token on the same relay hears nothing.
    const other = await TestClient.open(relay, 'pair-other', 'miniapp', 0);
    await settle();
    expect(messages(other)).toEqual([]);
    await closeAll([mp, h5, other]);
  });

  test('replacement: a second connection of the same token+env closes the first with 4500, without a presence flap', async () => {
    const relay = await relayWith();
    const h5 = await TestClient.open(relay, 'repl', 'h5', 0);
    const first = await TestClient.open(relay, 'repl', 'miniapp', 0);
    await h5.next((f) => f.type === 'presence' && f.online === true);
    const second = await TestClient.open(relay, 'repl', 'miniapp', 0);
    expect(await first.waitClose()).toBe(4500);
    h5.send({ type: 'message', data: 'to the new one' });
    expect(await second.next((f) => f.type === 'message')).toMatchObject({ data: 'to the new one' });
    await settle();
    expect(h5.of('presence').filter((f) => f.online === false)).toEqual([]);
    expect(messages(first)).toEqual([]);
    await closeAll([h5, second]);
  });

  test('presence: online when a peer joins, offline when it leaves', async () => {
    const relay = await relayWith();
    const h5 = await TestClient.open(relay, 'pres', 'h5', 0);
    const mp = await TestClient.open(relay, 'pres', 'miniapp', 0);
    expect(await h5.next((f) => f.type === 'presence')).toMatchObject({ env: 'miniapp', online: true });
    await mp.close();
    expect(await h5.next((f) => f.type === 'presence' && f.online === false)).toMatchObject({ env: 'miniapp' });
    await h5.close();
  });

  test('order: 600 frames arrive in the order sent, with consecutive seqs', async () => {
    const relay = await relayWith({ ratePerSecond: 0 });
    const mp = await TestClient.open(relay, 'order', 'miniapp', 0);
    const h5 = await TestClient.open(relay, 'order', 'h5', 0);
    for (let i = 0; i < 600; i++) h5.send({ type: 'message', data: i });
    const got = await mp.count((f) => f.type === 'message', 600);
    expect(got.map((f) => f.data)).toEqual(Array.from({ length: 600 }, (_, i) => i));
    for (let i = 1; i < got.length; i++) expect(got[i].seq).toBe(got[i - 1].seq + 1);
    await closeAll([mp, h5]);
  });

  test('replay: a peer that comes back gets exactly what followed its lastSeq', async () => {
    const relay = await relayWith();
    let mp = await TestClient.open(relay, 'replay', 'miniapp', 0);
    const h5 = await TestClient.open(relay, 'replay', 'h5', 0);
    h5.send({ type: 'message', data: 'seen' });
    await mp.next((f) => f.type === 'message');
    const lastSeq = mp.lastSeq;
    await mp.close();
    for (let i = 0; i < 4; i++) h5.send({ type: 'message', id: `r${i}`, data: i });
    await h5.count((f) => f.type === 'ack' && String(f.id).startsWith('r'), 4);
    mp = await TestClient.open(relay, 'replay', 'miniapp', lastSeq);
    const replayed = await mp.count((f) => f.type === 'message', 4);
    expect(replayed.map((f) => f.data)).toEqual([0, 1, 2, 3]);
    // Resuming after the second one replays only the last two.
    const secondSeq = replayed[1].seq;
    await mp.close();
    mp = await TestClient.open(relay, 'replay', 'miniapp', secondSeq);
    const again = await mp.count((f) => f.type === 'message', 2);
    await settle();
    expect(messages(mp).map((f) => f.data)).toEqual([2, 3]);
    expect(again.every((f: AnyFrame) => f.seq > secondSeq)).toBe(true);
    await closeAll([mp, h5]);
  });

  test('limits: a third env over maxEnvsPerToken is refused with QUEUE_FULL', async () => {
    const relay = await relayWith({ maxEnvsPerToken: 2 });
    const mp = await TestClient.open(relay, 'lim', 'miniapp', 0);
    const h5 = await TestClient.open(relay, 'lim', 'h5', 0);
    h5.send({ type: 'message', id: 'far', to: 'kiosk', data: 1 });
    expect(await h5.next((f) => f.type === 'error')).toMatchObject({ code: 'QUEUE_FULL', id: 'far' });
    await closeAll([mp, h5]);
  });

  test('drops counted: frames pushed out of a full backlog show in metrics', async () => {
    const relay = await relayWith({ backlogItems: 3 });
    const h5 = await TestClient.open(relay, 'drops', 'h5', 0);
    for (let i = 0; i < 7; i++) h5.send({ type: 'message', id: `d${i}`, data: i });
    await h5.count((f) => f.type === 'ack', 7);
    const mp = await TestClient.open(relay, 'drops', 'miniapp', 0);
    await mp.count((f) => f.type === 'message', 3);
    await settle();
    expect(messages(mp).map((f) => f.data)).toEqual([4, 5, 6]);
    expect(relay.metrics().drops.backlog_overflow).toBe(4);
    await closeAll([mp, h5]);
  });
});
