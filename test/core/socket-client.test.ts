/**
 * SocketClient on 127.0.0.1 through the ws-backed wx.connectSocket: connection control, reconnect,
 * close codes, heartbeat, fresh targets, transports. Kill and restart use our relay as users run it
 * (`hybrid-kit serve`, SIGKILLed); close codes, silent pongs and forged frames need the misbehaving
 * stand-in (test/helpers/misbehaving-relay.ts says why).
 */
import WebSocket from 'ws';
import { HybridError } from '../../src/core/errors';
import { SocketClient, StateChange, webSocketTransport, WebSocketLikeConstructor, withQuery } from '../../src/core/socket';
import { cloudContainerTransport } from '../../src/adapters/wx-socket';
import { KillableRelay, ProxiedRelayRig, Rig, sleep, startKillableRelayRig, startMisbehavingRig, startProxiedRelayRig, waitFor, waitState } from './socket-fixture';

let rig: Rig;
beforeEach(async () => {
  rig = await startMisbehavingRig();
});
afterEach(() => rig.teardown());

test('opens, says resume first, gets hello, and reports stats', async () => {
  const c = rig.client();
  const states: StateChange[] = [];
  c.on('state', (s) => states.push(s));
  const hello = new Promise((resolve) => c.on('hello', resolve));
  c.connect();
  await waitState(c, 'open');
  expect(await hello).toMatchObject({ type: 'hello', env: 'miniapp', peers: [] });
  await waitFor(() => rig.server.inbox.length > 0);
  expect(rig.server.inbox[0]).toEqual({ type: 'resume', lastSeq: 0, batch: true });
  expect(states.map((s) => `${s.from}>${s.to}`)).toEqual(['idle>connecting', 'connecting>open']);
  expect(c.stats()).toMatchObject({ state: 'open', attempts: 1, queued: 0, unacked: 0, dropped: 0 });
});

test('answers server pings with pong and reports binary frames', async () => {
  const c = rig.client();
  const binaries: number[] = [];
  c.on('binary', (b) => binaries.push(b.byteLength));
  c.connect();
  await waitState(c, 'open');
  rig.server.pushRaw('t1', 'miniapp', JSON.stringify({ type: 'ping', ts: 42 }));
  rig.server.pushBinary('t1', 'miniapp', new Uint8Array([1, 2, 3]));
  await waitFor(() => rig.server.inbox.some((f) => f.type === 'pong') && binaries.length === 1);
  expect(rig.server.inbox.find((f) => f.type === 'pong')).toEqual({ type: 'pong', ts: 42 });
  expect(binaries).toEqual([3]);
});

describe('against our relay (the built src/server, behind a TCP proxy that can cut)', () => {
  let ours: ProxiedRelayRig;
  beforeEach(async () => {
    ours = await startProxiedRelayRig();
  });
  afterEach(() => ours.teardown());

  test('repeated connect() in every phase keeps one task', async () => {
    const c = ours.client();
    for (let i = 0; i < 20; i++) c.connect();
    await waitState(c, 'open');
    for (let i = 0; i < 20; i++) c.connect();
    await sleep(50);
    expect(ours.wx.created).toBe(1);
    expect(ours.server.metrics().connectionsTotal).toBe(1);
    expect(ours.wx.live()).toBe(1);
  });

  test('reconnect() storms never leave more than one live task', async () => {
    const c = ours.client();
    const opened: number[] = [];
    c.on('open', (e) => opened.push(e.generation));
    c.connect();
    for (let i = 0; i < 15; i++) {
      c.reconnect();
      await sleep(i % 3);
    }
    await waitState(c, 'open');
    await waitFor(() => ours.wx.live() === 1 && ours.server.metrics().connections === 1);
    // Only the newest generation may report open once the storm is over.
    expect(opened[opened.length - 1]).toBe(c.stats().generation);
  });

  test('late callbacks from a replaced task are ignored', async () => {
    const tasks: Array<{ url: string }> = [];
    const c = ours.client({
      transport: (target) => {
        const task = ours.wx.connectSocket(target);
        tasks.push(task);
        return task;
      },
    });
    const closes: number[] = [];
    c.on('close', (e) => closes.push(e.code));
    c.connect();
    await waitState(c, 'open');
    c.reconnect();
    await waitState(c, 'open');
    // The first task's close callback fires after the second task opened: it must change nothing.
    await waitFor(() => ours.wx.live() === 1 && ours.server.metrics().connections === 1);
    await sleep(30);
    expect(tasks).toHaveLength(2);
    expect(closes).toEqual([]);
    expect(c.state).toBe('open');
    expect(c.stats().generation).toBeGreaterThan(1);
  });

  test('wall-clock check after a suspension reconnects at once', async () => {
    let skew = 0;
    const c = ours.client({ heartbeatInterval: 10000, pongTimeout: 10000, now: () => Date.now() + skew });
    c.connect();
    await waitState(c, 'open');
    skew = 60000; // the app slept a minute: timers did not fire
    c.checkAlive();
    expect(c.state).toBe('waiting');
    await waitFor(() => c.state === 'open' && ours.server.metrics().connectionsTotal === 2);
  });

  test('a fresh target (url, headers) is asked for before every attempt', async () => {
    let n = 0;
    const c = ours.client({
      target: async () => {
        n++;
        return { url: ours.url(`tok${n}`, 'miniapp'), header: { 'x-test': `h${n}` } };
      },
    });
    c.connect();
    await waitState(c, 'open');
    expect(ours.cut()).toBe(1);
    await waitFor(() => ours.server.metrics().connectionsTotal === 2 && c.state === 'open');
    expect(ours.handshakes).toEqual([
      { token: 'tok1', env: 'miniapp', header: 'h1' },
      { token: 'tok2', env: 'miniapp', header: 'h2' },
    ]);
  });

  test('a failing target provider or transport is an attempt that fails and retries', async () => {
    let calls = 0;
    const c = ours.client({
      target: () => {
        calls++;
        if (calls < 3) throw new Error('token service down');
        return ours.url('t1', 'miniapp');
      },
    });
    const errors: HybridError[] = [];
    c.on('error', (e) => errors.push(e));
    c.connect();
    await waitState(c, 'open');
    expect(calls).toBe(3);
    expect(errors.map((e) => e.code)).toEqual(['OFFLINE', 'OFFLINE']);
    expect(errors[0].message).toBe('token service down');
  });

  test('the browser-style WebSocket adapter works with Node ws (what the H5 SDK uses)', async () => {
    const peer = ours.client({ env: 'h5' });
    peer.onRequest((_api, params) => params);
    peer.connect();
    const c = ours.client({ transport: webSocketTransport(WebSocket as unknown as WebSocketLikeConstructor) });
    c.connect();
    await waitState(c, 'open');
    await waitState(peer, 'open');
    await expect(c.request('echo', { n: 1 }, { to: 'h5' })).resolves.toEqual({ n: 1 });
    c.close();
    await waitState(c, 'closed');
  });

  test('wx.cloud.connectContainer adapter: async task creation, path as the target', async () => {
    const paths: string[] = [];
    const api = {
      cloud: {
        connectContainer: async (o: Record<string, unknown>) => {
          paths.push(o.path as string);
          expect(o).toMatchObject({ config: { env: 'prod-1' }, service: 'relay' });
          return { socketTask: ours.wx.connectSocket({ url: ours.url('unused', 'unused').replace(/\/socket\?.*$/, o.path as string) }) };
        },
      },
    };
    const c = ours.client({ transport: cloudContainerTransport({ env: 'prod-1', service: 'relay', api }), target: '/socket?token=t9&env=miniapp' });
    c.connect();
    await waitState(c, 'open');
    expect(paths).toEqual(['/socket?token=t9&env=miniapp&v=1']);
    expect(ours.handshakes[0]).toMatchObject({ token: 't9', env: 'miniapp' });
    const noCloud = ours.client({ transport: cloudContainerTransport({ env: 'e', service: 's', api: {} as never }), backoff: { base: 5, cap: 5, maxRetries: 0 } });
    const err = new Promise<HybridError>((resolve) => noCloud.on('error', resolve));
    noCloud.connect();
    expect((await err).code).toBe('OFFLINE');
  });
});

describe('our relay SIGKILLed and restarted on the same port (hybrid-kit serve)', () => {
  let killable: Rig<KillableRelay>;
  beforeEach(async () => {
    killable = await startKillableRelayRig();
  });
  afterEach(() => killable.teardown());

  test('reconnects after the relay is killed and restarted on the same port', async () => {
    const c = killable.client({ backoff: { base: 20, cap: 60 } });
    c.connect();
    await waitState(c, 'open');
    await killable.server.kill();
    await waitState(c, 'waiting');
    await sleep(150); // a few failed attempts against the closed port
    expect(c.state).not.toBe('open');
    const attemptsWhileDown = c.stats().attempts;
    expect(attemptsWhileDown).toBeGreaterThan(1);
    await killable.server.restart();
    await waitState(c, 'open', 10_000);
    expect(await killable.server.connections()).toBe(1);
    expect(c.stats().lastClose?.code).toBe(1006);
  });

  test('close() never reconnects, even when called during the backoff wait', async () => {
    const c = killable.client();
    c.connect();
    await waitState(c, 'open');
    c.close();
    await waitState(c, 'closed');
    await sleep(150);
    expect(await killable.server.connections()).toBe(0);
    expect(c.stats().attempts).toBe(1);

    c.connect();
    await waitState(c, 'open');
    await killable.server.kill();
    await waitState(c, 'waiting');
    c.close();
    expect(c.state).toBe('closed');
    const attempts = c.stats().attempts;
    await killable.server.restart();
    await sleep(200);
    expect(c.state).toBe('closed');
    expect(c.stats().attempts).toBe(attempts);
    expect(await killable.server.connections()).toBe(0);
    expect(c.busy).toBe(false);
  });
});

test('close codes: 1000 stops, 4000-4499 retries, 4500-4999 is terminal; connect() works after failed', async () => {
  const c = rig.client();
  const failed: string[] = [];
  c.on('failed', (f) => failed.push(f.reason));
  c.connect();
  await waitState(c, 'open');

  rig.server.closeAll(4008, 'rate');
  await waitFor(() => rig.server.connections === 2 && c.state === 'open');

  rig.server.closeAll(1000, 'bye');
  await waitState(c, 'closed');
  await sleep(100);
  expect(rig.server.connections).toBe(2);

  c.connect();
  await waitState(c, 'open');
  rig.server.closeAll(4501, 'token revoked');
  await waitState(c, 'failed');
  expect(failed).toEqual(['terminal close code 4501']);
  await sleep(100);
  expect(rig.server.connections).toBe(3);

  c.connect();
  await waitState(c, 'open');
  expect(rig.server.connections).toBe(4);
});

test('maxRetries ends in failed with an event after exactly that many retries', async () => {
  await rig.server.kill();
  const delays: number[] = [];
  const c = rig.client({ backoff: { base: 5, cap: 20, maxRetries: 3 }, random: () => 0.999 });
  c.on('state', (s) => s.to === 'waiting' && delays.push(c.stats().retries));
  const failed = new Promise<{ attempts: number }>((resolve) => c.on('failed', resolve));
  c.connect();
  expect((await failed).attempts).toBe(3);
  expect(c.state).toBe('failed');
  expect(c.stats().attempts).toBe(4); // the first try and three retries
  expect(delays).toEqual([1, 2, 3]);
  expect(c.busy).toBe(false);
});

test('backoff resets only after the connection stayed up minUptime (flapping server gives up)', async () => {
  // The server accepts, then drops every connection right away: without minUptime this would loop forever.
  const c = rig.client({ backoff: { base: 5, cap: 10, maxRetries: 4 }, minUptime: 500 });
  c.on('open', () => rig.server.closeAll(4002, 'flap'));
  const failed = new Promise((resolve) => c.on('failed', resolve));
  c.connect();
  await failed;
  expect(rig.server.connections).toBe(5);
});

test('half-open: a server that stops answering is detected by the heartbeat and replaced', async () => {
  const c = rig.client({ heartbeatInterval: 40, pongTimeout: 250 });
  const closes: Array<{ code: number; reason: string }> = [];
  c.on('close', (e) => closes.push({ code: e.code, reason: e.reason }));
  c.connect();
  await waitState(c, 'open');
  await waitFor(() => rig.server.inbox.filter((f) => f.type === 'ping').length >= 3 && c.stats().rtt !== undefined);
  expect(closes).toEqual([]);

  rig.server.answerPings = false;
  await waitFor(() => closes.length === 1, 2000, 'heartbeat close');
  expect(closes[0]).toEqual({ code: 4000, reason: 'pong timeout' });
  rig.server.answerPings = true;
  await waitFor(() => c.state === 'open' && rig.server.connections === 2);
  await waitFor(() => rig.wx.live() === 1, 2000, 'the abandoned task to be cut');
});

test('any inbound frame counts as alive: no pongs but steady traffic keeps the connection', async () => {
  const c = rig.client({ heartbeatInterval: 30, pongTimeout: 250 });
  const closes: string[] = [];
  c.on('close', (e) => closes.push(e.reason));
  c.connect();
  await waitState(c, 'open');
  rig.server.answerPings = false;
  for (let i = 0; i < 20; i++) {
    rig.server.push('t1', 'miniapp', { type: 'message', event: 'tick', data: i });
    await sleep(30);
  }
  expect(closes).toEqual([]);
  expect(rig.server.connections).toBe(1);
  // Silence now: the heartbeat gives up on the connection.
  await waitFor(() => closes.length === 1, 2000, 'heartbeat close');
  expect(closes).toEqual(['pong timeout']);
});

test('connect timeout abandons a task that never opens', async () => {
  // A TCP server that accepts and never answers the upgrade.
  const net = await import('net');
  const sockets: import('net').Socket[] = [];
  const silent = net.createServer((s) => sockets.push(s));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as import('net').AddressInfo).port;
  const c = rig.client({ target: `ws://127.0.0.1:${port}/`, connectTimeout: 50, backoff: { base: 5, cap: 5, maxRetries: 2 } });
  const closes: string[] = [];
  c.on('close', (e) => closes.push(e.reason));
  c.connect();
  await waitState(c, 'failed');
  expect(closes).toEqual(['connect timeout', 'connect timeout', 'connect timeout']);
  await rig.wx.settled();
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

test('bad input gets a HybridError with a code', async () => {
  expect(() => new SocketClient({} as never)).toThrow(HybridError);
  const c = rig.client();
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  expect(() => c.emit('x', cyclic)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  expect(() => c.emit('x', 'y'.repeat(300 * 1024))).toThrow(expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }));
  expect(() => c.send({} as never)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  expect(() => c.onRequest(null as never)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  expect(() => c.emit('', 1)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  expect(() => c.emit('e'.repeat(200), 1)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  expect(() => c.subscribe('chat', 'nope' as never)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  await expect(c.request(42 as never)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  expect(c.stats().pendingRequests).toBe(0);
  expect(c.stats().queued).toBe(0);
});

test('an unusable URL fails the attempt with BAD_REQUEST and the client keeps retrying until closed', async () => {
  const c = rig.client({ target: 'http://nope', backoff: { base: 5, cap: 5, maxRetries: 1 } });
  const errors: string[] = [];
  c.on('error', (e) => errors.push(e.code));
  c.connect();
  await waitState(c, 'failed');
  expect(errors).toEqual(['BAD_REQUEST', 'BAD_REQUEST']);
});

test('withQuery appends token and env, keeping an existing query and hash', () => {
  expect(withQuery('wss://h/socket', { token: 'a b', env: 'miniapp' })).toBe('wss://h/socket?token=a%20b&env=miniapp');
  expect(withQuery('wss://h/s?x=1#f', { token: 't', env: undefined })).toBe('wss://h/s?x=1&token=t#f');
});
