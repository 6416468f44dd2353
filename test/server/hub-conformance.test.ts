/**
 * One contract, every hub: the same cases run against a relay on the memory hub and a relay on the
 * Redis hub (a real redis-server), over real sockets. A new hub joins the list below.
 */
import { AnyFrame, closeAll, redisRelays, Relay, RelayOptions, settle, socketUrl, startRelay, TestClient } from './helpers';

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

  test('drops counted and reported: frames pushed out of a full backlog show in metrics and go back to their sender as QUEUE_FULL', async () => {
    const relay = await relayWith({ backlogItems: 4 });
    const h5 = await TestClient.open(relay, 'drops', 'h5', 0);
    for (let i = 0; i < 8; i++) h5.send({ type: 'message', id: `d${i}`, data: i });
    await h5.count((f) => f.type === 'ack', 8);
    const reports = await h5.count((f) => f.type === 'error', 4);
    expect(reports.map((f) => [f.code, f.id, f.from])).toEqual([0, 1, 2, 3].map((i) => ['QUEUE_FULL', `d${i}`, 'miniapp']));
    const mp = await TestClient.open(relay, 'drops', 'miniapp', 0);
    await mp.count((f) => f.type === 'message', 4);
    await settle();
    expect(messages(mp).map((f) => f.data)).toEqual([4, 5, 6, 7]);
    expect(relay.metrics().drops.backlog_overflow).toBe(4);
    expect(relay.metrics().trims.items).toBe(4);
    await closeAll([mp, h5]);
  });

  test('delivered: a confirmation becomes one notice per sender listing the ids it covers', async () => {
    const relay = await relayWith();
    const mp = await TestClient.open(relay, 'recv', 'miniapp', 0);
    const h5 = await TestClient.open(relay, 'recv', 'h5', 0);
    const kiosk = await TestClient.open(relay, 'recv', 'kiosk', 0);
    for (let i = 0; i < 3; i++) h5.send({ type: 'message', id: `h${i}`, to: 'miniapp', data: i });
    kiosk.send({ type: 'message', id: 'k0', to: 'miniapp', data: 'k' });
    h5.send({ type: 'message', to: 'miniapp', data: 'no id' });
    await mp.count((f) => f.type === 'message', 5);
    mp.send({ type: 'resume', lastSeq: mp.lastSeq }); // live: a cumulative confirmation
    expect(await h5.next((f) => f.type === 'delivered')).toMatchObject({ from: 'miniapp', ids: ['h0', 'h1', 'h2'] });
    expect(await kiosk.next((f) => f.type === 'delivered')).toMatchObject({ from: 'miniapp', ids: ['k0'] });
    mp.send({ type: 'ping', lastSeq: mp.lastSeq }); // nothing new confirmed: no second notice
    await settle();
    expect(h5.of('delivered')).toHaveLength(1);
    expect(relay.metrics().messagesDelivered).toBe(4);
    await closeAll([mp, h5, kiosk]);
  });

  test('a frame sent right after resume does not move the resume point (the replay still starts at lastSeq)', async () => {
    const relay = await relayWith();
    let mp = await TestClient.open(relay, 'rp', 'miniapp', 0);
    const h5 = await TestClient.open(relay, 'rp', 'h5', 0);
    for (let i = 0; i < 4; i++) h5.send({ type: 'message', id: `p${i}`, data: i });
    const got = await mp.count((f) => f.type === 'message', 4);
    const readUpTo = got[1].seq; // the app read two; two more were written to the socket
    await mp.close();
    // Reconnect: resume and a message in the same breath, before the hub finished the join.
    mp = new TestClient(socketUrl(relay, 'rp', 'miniapp'));
    await mp.opened;
    mp.send({ type: 'resume', lastSeq: readUpTo });
    mp.send({ type: 'message', id: 'up', data: 'hi' });
    await mp.count((f) => f.type === 'message', 2);
    await settle();
    expect(messages(mp).map((f) => f.data)).toEqual([2, 3]);
    await closeAll([mp, h5]);
  });

  test('no resume in time: every unconfirmed frame goes again and nothing is reported delivered before it is confirmed', async () => {
    // Written to a socket is not read: a resume that comes after resumeWaitMs (a loaded client, or the
    // relay's timer firing before it reads the resume already on the socket) must not lose what the cut
    // socket never delivered.
    const relay = await relayWith({ resumeWaitMs: 50 });
    let mp = await TestClient.open(relay, 'late', 'miniapp', 0);
    const h5 = await TestClient.open(relay, 'late', 'h5', 0);
    for (let i = 0; i < 4; i++) h5.send({ type: 'message', id: `l${i}`, data: i });
    await mp.count((f) => f.type === 'message', 4); // written to mp's socket, never confirmed
    await mp.close();
    mp = new TestClient(socketUrl(relay, 'late', 'miniapp'));
    await mp.opened;
    const again = await mp.count((f) => f.type === 'message', 4); // served after resumeWaitMs, no resume sent
    expect(again.map((f) => f.data)).toEqual([0, 1, 2, 3]);
    await settle();
    expect(h5.of('delivered')).toHaveLength(0);
    mp.send({ type: 'resume', lastSeq: again[3].seq }); // the late resume confirms them
    expect(await h5.next((f) => f.type === 'delivered')).toMatchObject({ from: 'miniapp', ids: ['l0', 'l1', 'l2', 'l3'] });
    await closeAll([mp, h5]);
  });

  test('a lone env named like an Object member gets OFFLINE, not an ack', async () => {
    const relay = await relayWith();
    for (const env of ['constructor', '__proto__', 'toString']) {
      const lone = await TestClient.open(relay, `lone-${env}`, env, 0);
      lone.send({ type: 'message', id: `x-${env}`, data: 1 });
      expect(await lone.next((f) => f.type === 'error')).toMatchObject({ code: 'OFFLINE', id: `x-${env}` });
      expect(lone.of('ack')).toEqual([]);
      await lone.close();
    }
  });

  test('a frame that would pass maxFrameBytes once stamped is refused up front, never acked', async () => {
    const max = 300;
    const relay = await relayWith({ maxFrameBytes: max });
    const mp = await TestClient.open(relay, 'size', 'miniapp', 0);
    const h5 = await TestClient.open(relay, 'size', 'h5', 0);
    const frameOf = (n: number) => JSON.stringify({ type: 'message', id: `s${n}`, data: 'x'.repeat(n) });
    // Largest accepted: the stamped frame (with "from":"h5", and a 16-digit seq) is at most `max` bytes.
    let n = 0;
    while (Buffer.byteLength(frameOf(n + 1)) + '"from":"h5",'.length + '"seq":,'.length + 16 <= max) n++;
    h5.send(frameOf(n + 1));
    h5.send(frameOf(n));
    expect(await h5.next((f) => f.type === 'error')).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', id: `s${n + 1}` });
    const got = await mp.next((f) => f.type === 'message');
    expect(got.id).toBe(`s${n}`);
    await h5.next((f) => f.type === 'ack');
    expect(h5.of('ack').map((f) => f.id)).toEqual([`s${n}`]);
    await closeAll([mp, h5]);
  });
});
