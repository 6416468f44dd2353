import { Relay, TestClient, closeAll, relayFactory, settle, socketUrl, startRelay, upgradeStatus } from './helpers';

// Generous safety limit for loaded CI machines; the tests assert counts, not speed.
jest.setTimeout(20000);

const relayWith = relayFactory();

/** Stops reading from the socket, as a stalled phone would. */
function stall(client: TestClient): void {
  (client.ws as unknown as { _socket: { pause(): void } })._socket.pause();
}
function unstall(client: TestClient): void {
  (client.ws as unknown as { _socket: { resume(): void } })._socket.resume();
}

describe('malformed and oversize frames', () => {
  let relay: Relay;
  beforeAll(async () => {
    relay = await relayWith({ maxFrameBytes: 4096 });
  });

  test('each bad frame gets a BAD_REQUEST error frame, the connection stays, and traffic around it is intact', async () => {
    const mp = await TestClient.open(relay, 'bad', 'miniapp', 0);
    const h5 = await TestClient.open(relay, 'bad', 'h5', 0);
    h5.send({ type: 'message', id: 'before', data: 'accepted first' });
    const bad: Array<string | Buffer> = [
      '{not json',
      'null',
      '[1,2,3]',
      '"a string"',
      Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff]),
      JSON.stringify({ type: 5 }),
      JSON.stringify({ data: 'no type' }),
      JSON.stringify({ type: 'message', id: 12 }),
      JSON.stringify({ type: 'ack' }),
      JSON.stringify({ type: 'resume' }),
      JSON.stringify({ type: 'response', id: 'r', ok: 'yes' }),
      JSON.stringify({ type: 'message', id: 'x'.repeat(500), data: 1 }),
      JSON.stringify({ type: 'message', data: 1, to: 'not an env!' }),
      JSON.stringify({ type: 'message', data: 1, to: 'h5' }),
      JSON.stringify({ type: 'presence', env: 'miniapp', online: false }),
      JSON.stringify({ type: 'message', data: JSON.parse('['.repeat(60) + ']'.repeat(60)) }),
    ];
    for (const frame of bad) h5.send(frame);
    h5.send({ type: 'message', id: 'after', data: 'accepted last' });
    const errors = await h5.count((f) => f.type === 'error', bad.length);
    expect(errors.every((e) => e.code === 'BAD_REQUEST' && typeof e.message === 'string' && e.message.length > 0)).toBe(true);
    expect(errors.some((e) => /binary/.test(e.message))).toBe(true);
    expect(errors.find((e) => /"id"/.test(e.message) && e.id === undefined)).toBeDefined(); // a huge id is never echoed
    const got = await mp.count((f) => f.type === 'message', 2);
    expect(got.map((f) => f.id)).toEqual(['before', 'after']);
    expect(h5.of('ack').map((f) => f.id)).toEqual(['before', 'after']);
    await settle();
    expect(mp.of('message')).toHaveLength(2);
    expect(mp.of('presence')).toEqual([{ type: 'presence', env: 'h5', online: true }]); // the forged one went nowhere
    expect(h5.closeCode).toBeNull();
    expect(relay.metrics().rejects.bad_frame).toBe(bad.length);
    await closeAll([mp, h5]);
  });

  test('an error frame names the id of a well-formed but refused frame', async () => {
    const h5 = await TestClient.open(relay, 'bad-id', 'h5', 0);
    h5.send({ type: 'request', id: 'req-1', api: 'x', to: 'h5' });
    expect(await h5.next((f) => f.type === 'error')).toMatchObject({ code: 'BAD_REQUEST', id: 'req-1' });
    await h5.close();
  });

  test('an oversize frame closes that connection with 1009; other clients keep being served', async () => {
    const mp = await TestClient.open(relay, 'big', 'miniapp', 0);
    const h5 = await TestClient.open(relay, 'big', 'h5', 0);
    const otherA = await TestClient.open(relay, 'other', 'miniapp', 0);
    const otherB = await TestClient.open(relay, 'other', 'h5', 0);
    h5.send({ type: 'message', data: 'x'.repeat(5000) });
    expect(await h5.waitClose()).toBe(1009);
    expect(relay.metrics().rejects.too_large).toBe(1);
    otherB.send({ type: 'message', data: 'still served' });
    await otherA.next((f) => f.data === 'still served');
    mp.send({ type: 'message', id: 'kept', data: 'for h5 later' });
    await mp.next((f) => f.type === 'ack');
    const h5again = await TestClient.open(relay, 'big', 'h5', 0);
    await h5again.next((f) => f.id === 'kept');
    expect(mp.of('message')).toHaveLength(0);
    await closeAll([mp, h5again, otherA, otherB]);
  });
});

describe('envs per token', () => {
  test('a token cannot spread over more envs than maxEnvsPerToken, by connecting or by "to"', async () => {
    const relay = await relayWith({ maxEnvsPerToken: 3 });
    const a = await TestClient.open(relay, 'many', 'h5', 0);
    const b = await TestClient.open(relay, 'many', 'miniapp', 0);
    a.send({ type: 'message', id: 'c', data: 1, to: 'third' });
    await a.next((f) => f.type === 'ack' && f.id === 'c'); // the third env: still allowed
    a.send({ type: 'message', id: 'd', data: 1, to: 'fourth' });
    expect(await a.next((f) => f.type === 'error')).toMatchObject({ code: 'QUEUE_FULL', id: 'd' });
    const c = await TestClient.open(relay, 'many', 'third', 0);
    const refused = await upgradeStatus(socketUrl(relay, 'many', 'fourth'));
    expect(refused).toMatchObject({ status: 403, body: { code: 'QUEUE_FULL' } });
    await closeAll([a, b, c]);
  });
});

describe('rate limit', () => {
  test('frames past the burst are refused with RATE_LIMITED (with their id); a flood is closed with 4008', async () => {
    const relay = await relayWith({ ratePerSecond: 1, rateBurst: 5 });
    const mp = await TestClient.open(relay, 'rl', 'miniapp', 0);
    const h5 = await TestClient.open(relay, 'rl', 'h5', 0);
    // Every frame counts, `resume` included: the burst of 5 leaves room for 4 messages.
    for (let i = 0; i < 8; i++) h5.send({ type: 'message', id: `m${i}`, data: i });
    const limited = await h5.count((f) => f.type === 'error', 4);
    expect(limited.map((e) => [e.code, e.id])).toEqual(['m4', 'm5', 'm6', 'm7'].map((id) => ['RATE_LIMITED', id]));
    await mp.count((f) => f.type === 'message', 4);
    expect(h5.closeCode).toBeNull();
    for (let i = 0; i < 10; i++) h5.send({ type: 'message', data: 'flood' });
    expect(await h5.waitClose()).toBe(4008);
    await settle();
    expect(mp.of('message').map((f) => f.data)).toEqual([0, 1, 2, 3]);
    expect(relay.metrics().closes['4008']).toBe(1);
    await mp.close();
  });
});

describe('slow consumers, dead peers, shutdown', () => {
  test('a peer that stops reading is closed with 4009 once its send buffer passes the limit', async () => {
    const relay = await relayWith({ ratePerSecond: 0, maxBufferedBytes: 256 * 1024, maxFrameBytes: 128 * 1024 });
    const mp = await TestClient.open(relay, 'slow', 'miniapp', 0);
    const h5 = await TestClient.open(relay, 'slow', 'h5', 0);
    stall(mp);
    const chunk = 'y'.repeat(100 * 1024);
    for (let i = 0; i < 400 && relay.metrics().drops.slow_consumer === 0; i++) {
      h5.send({ type: 'message', data: chunk });
      if (i % 20 === 19) await settle(10);
    }
    expect(relay.metrics().drops.slow_consumer).toBeGreaterThanOrEqual(1);
    unstall(mp);
    expect(await mp.waitClose(10000)).toBe(4009);
    expect(h5.closeCode).toBeNull();
    await h5.close();
  });

  test('a connection that stops answering pings is terminated and its peer sees it go', async () => {
    const relay = await relayWith({ pingIntervalMs: 200 });
    const mp = await TestClient.open(relay, 'dead', 'miniapp', 0);
    const h5 = await TestClient.open(relay, 'dead', 'h5', 0);
    stall(h5);
    expect(await mp.next((f) => f.type === 'presence' && f.online === false, 8000)).toMatchObject({ env: 'h5' });
    expect(relay.metrics().closes['1006']).toBe(1);
    expect(relay.metrics().connections).toBe(1);
    expect(mp.closeCode).toBeNull(); // the live one answers pings by itself
    h5.ws.terminate();
    await mp.close();
  });

  test('close() tells every client to reconnect (1001) and refuses new upgrades', async () => {
    const relay = await startRelay();
    const mp = await TestClient.open(relay, 'bye', 'miniapp', 0);
    const h5 = await TestClient.open(relay, 'bye', 'h5', 0);
    const url = socketUrl(relay, 'bye', 'h5');
    const closing = relay.close();
    const refused = upgradeStatus(url).catch((err: Error) => ({ status: -1, body: err.message }));
    expect(await mp.waitClose()).toBe(1001);
    expect(await h5.waitClose()).toBe(1001);
    expect(mp.closeReason).toMatch(/reconnect/);
    await closing;
    expect([503, -1]).toContain((await refused).status);
  });
});
