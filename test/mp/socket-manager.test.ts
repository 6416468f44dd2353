/**
 * @jest-environment-options {"customExportConditions": ["node", "require", "default"]}
 *
 * The BUILT socket-manager behavior (miniprogram_dist) inside pages rendered by miniprogram-simulate,
 * with wx.connectSocket backed by the real `ws` client and our relay (the built src/server) on
 * 127.0.0.1 behind a TCP proxy that cuts connections. Three tests need what our relay never does
 * (withheld acks, a close with a chosen code, stream frames written by the test): they use the
 * stand-in (test/helpers/misbehaving-relay.ts).
 */
import * as path from 'path';
import { MP_ROOT, render, Rendered } from '../helpers/mp-dist';
import { installMiniProgramGlobals } from '../helpers/mp-globals';
import { MisbehavingRelay } from '../helpers/misbehaving-relay';
import { ProxiedRelay, startProxiedRelay } from '../helpers/proxied-relay';
import { sleep } from '../helpers/wait';
import { createWsWx, waitFor, WsWx } from '../helpers/ws-wx';
import type * as ManagerModule from '../../src/behaviors/socket-manager';

// The built file, as DevTools would load it (it calls the Behavior() global of simulate).
const simulate = installMiniProgramGlobals();
// Our relay runs in this jest worker, in the mini program's (jsdom) environment, which has no
// setImmediate: the relay gets Node's. No mini program code uses it (the other mp tests, without
// it, would fail if one did).
if (typeof setImmediate === 'undefined') Object.assign(globalThis, { setImmediate: require('timers').setImmediate });
const manager = require(path.join(MP_ROOT, 'behaviors/socket-manager')) as typeof ManagerModule;

type AppEvent = 'show' | 'hide' | 'network';
type Fn = (res?: unknown) => void;

/** wx.onAppShow / onAppHide / onNetworkStatusChange with their off* counterparts (simulate only has no-ops). */
function installAppEvents(wxObj: Record<string, unknown>) {
  const listeners: Record<AppEvent, Set<Fn>> = { show: new Set(), hide: new Set(), network: new Set() };
  const pairs: Array<[string, string, AppEvent]> = [
    ['onAppShow', 'offAppShow', 'show'],
    ['onAppHide', 'offAppHide', 'hide'],
    ['onNetworkStatusChange', 'offNetworkStatusChange', 'network'],
  ];
  for (const [on, off, ev] of pairs) {
    wxObj[on] = (fn: Fn) => listeners[ev].add(fn);
    wxObj[off] = (fn: Fn) => listeners[ev].delete(fn);
  }
  return {
    fire: (ev: AppEvent, res?: unknown) => Array.from(listeners[ev]).forEach((fn) => fn(res)),
    count: () => listeners.show.size + listeners.hide.size + listeners.network.size,
  };
}

const wxObj = (global as unknown as { wx: Record<string, unknown> }).wx;
const appEvents = installAppEvents(wxObj);
let relay: ProxiedRelay;
let wsWx: WsWx;
let config: Record<string, unknown> = {};
const hostMessages: unknown[] = [];

const FAST = { backoff: { base: 10, cap: 40 }, heartbeatInterval: 0, connectTimeout: 1000, closeTimeout: 100, minUptime: 100 };

// A page built with Component(), configured in code (socketConfig) and hooked to every message.
const pageId = simulate.load({
  template: '<view class="state">{{socketState}}</view>',
  behaviors: [manager.socketManager],
  options: { pureDataPattern: /^_/ },
  methods: {
    socketConfig() {
      return config;
    },
    onSocketMessage(frame: unknown) {
      hostMessages.push(frame);
    },
  },
});
// A component configured by properties only.
const propsId = simulate.load({
  template: '<view class="state">{{socketState}}</view>',
  behaviors: [manager.socketManager],
});

/** A protocol client of the token as the H5 page (the built core client on the ws-backed wx). */
function h5Peer(token = 'tok') {
  const { SocketClient } = require(path.join(MP_ROOT, 'core/socket'));
  const { wxSocketTransport } = require(path.join(MP_ROOT, 'adapters/wx-socket'));
  const h5 = new SocketClient({ transport: wxSocketTransport({}, wsWx), target: relay.url(token, 'h5'), ...FAST });
  h5.connect();
  return h5;
}

function mount(id = pageId, props?: Record<string, unknown>): Rendered {
  const comp = render(id, props);
  comp.attach(document.createElement('parent-wrapper'));
  return comp;
}

const rendered = (comp: Rendered) => comp.querySelector('.state')!.dom!.textContent;

beforeEach(async () => {
  relay = await startProxiedRelay();
  wsWx = createWsWx();
  wxObj.connectSocket = wsWx.connectSocket;
  config = { url: relay.base, token: 'tok', env: 'miniapp', ...FAST };
  hostMessages.length = 0;
});

afterEach(async () => {
  manager.closeAllSockets();
  await relay.close();
  await wsWx.settled();
  expect(appEvents.count()).toBe(0);
  expect(wsWx.invalidCloses).toBe(0);
});

test('a page mixes the behavior in: state reaches the page data and the rendered view', async () => {
  const page = mount();
  const states: string[] = [];
  const setData = page.instance.setData.bind(page.instance);
  page.instance.setData = (d: Record<string, unknown>) => {
    if ('socketState' in d) states.push(d.socketState as string);
    return setData(d);
  };
  await waitFor(() => page.instance.data.socketState === 'open');
  simulate.sleep(0);
  expect(rendered(page)).toBe('open');
  expect(relay.handshakes).toEqual([{ token: 'tok', env: 'miniapp', header: undefined }]);

  expect(relay.cut()).toBe(1);
  await waitFor(() => relay.connections().total === 2 && page.instance.data.socketState === 'open');
  // setData only on change: one call per transition (the spy went in after 'connecting').
  expect(states).toEqual(['open', 'waiting', 'connecting', 'open']);
  page.detach();
});

test('pages with the same URL share one connection; the last one to leave closes it', async () => {
  const a = mount();
  const b = mount();
  const c = mount(propsId, { socketUrl: relay.base, socketToken: 'tok' });
  await waitFor(() => [a, b, c].every((p) => p.instance.data.socketState === 'open'));
  expect(wsWx.created).toBe(1);
  await waitFor(() => relay.connections().open === 1);
  expect(manager.socketPoolStats()).toEqual([expect.objectContaining({ users: 3, state: 'open' })]);

  a.detach();
  b.detach();
  expect(manager.socketPoolStats()[0].users).toBe(1);
  expect(relay.connections()).toEqual({ open: 1, total: 1 });
  c.detach();
  expect(manager.socketPoolStats()).toEqual([]);
  await wsWx.settled();
  await waitFor(() => relay.connections().open === 0);
  expect(appEvents.count()).toBe(0);
});

test('subscriptions made through the behavior end with their page; relay-format frames arrive by type', async () => {
  const a = mount();
  const b = mount();
  const h5 = h5Peer();
  await waitFor(() => a.instance.data.socketState === 'open' && h5.state === 'open');
  const got: string[] = [];
  a.instance.socketSubscribe('addMaterial', (d: { n: number }) => got.push(`a${d.n}`));
  b.instance.socketSubscribe('addMaterial', (d: { n: number }) => got.push(`b${d.n}`));
  h5.send({ type: 'addMaterial', data: { n: 1 } });
  await waitFor(() => got.length === 2);
  a.detach();
  h5.send({ type: 'addMaterial', data: { n: 2 } });
  h5.emit('chat', 'hi');
  await waitFor(() => hostMessages.length === 1);
  h5.destroy();
  expect(got.sort()).toEqual(['a1', 'b1', 'b2']);
  // Only b is still attached, so the host hook ran once for the one message.
  expect(hostMessages).toEqual([expect.objectContaining({ event: 'chat', data: 'hi' })]);
  b.detach();
});

test('requests and reliable messages through the behavior methods', async () => {
  const h5 = h5Peer();
  h5.onRequest((_api: string, params: unknown) => params);
  const notes: unknown[] = [];
  h5.subscribe('note', (data: unknown) => notes.push(data));
  const page = mount();
  await waitFor(() => h5.state === 'open');
  await expect(page.instance.socketRequest('echo', { x: 1 }, { to: 'h5' })).resolves.toEqual({ x: 1 });
  const r = page.instance.socketEmit('note', 'hello', { reliable: true, to: 'h5' });
  expect(['sent', 'queued']).toContain(r.status);
  await r.delivered;
  await waitFor(() => page.instance.socketClient().stats().unacked === 0);
  expect(notes).toEqual(['hello']);
  page.detach();
  h5.destroy();
  expect(() => page.instance.socketEmit('x')).toThrow(expect.objectContaining({ code: 'OFFLINE' }));
  await expect(page.instance.socketRequest('echo')).rejects.toMatchObject({ code: 'OFFLINE' });
});

test("a tap's burst of emits costs two SocketTask.send calls (the first at once, the rest as one batch); replies sent while a message is handled cost one", async () => {
  const { isBatch } = require(path.join(MP_ROOT, 'core/batch'));
  const sends: string[] = [];
  const connect = wsWx.connectSocket;
  wxObj.connectSocket = (options: Parameters<WsWx['connectSocket']>[0]) => {
    const task = connect(options);
    const send = task.send.bind(task);
    task.send = (o) => (sends.push(String(o.data)), send(o));
    return task;
  };
  const h5 = h5Peer();
  const atH5: number[] = [];
  h5.subscribe('n', (d: number) => atH5.push(d));
  h5.subscribe('reply', (d: number) => atH5.push(d));
  const page = mount();
  await waitFor(() => page.instance.data.socketState === 'open' && h5.state === 'open');
  await sleep(100); // the relay's hello (it offers batches) and the presence frames pass

  // A tap: 20 emits in one handler.
  let from = sends.length;
  for (let i = 0; i < 20; i++) page.instance.socketEmit('n', i);
  expect(sends.length - from).toBe(1); // handed to the SocketTask before the handler returns
  await waitFor(() => atH5.length === 20);
  const tap = sends.slice(from);
  expect(tap).toHaveLength(2);
  expect(isBatch(tap[0])).toBe(false);
  expect(isBatch(tap[1])).toBe(true);
  expect(atH5).toEqual(Array.from({ length: 20 }, (_, i) => i));

  // Replies from a subscription callback: one SocketTask.send, the owed confirmation riding along.
  page.instance.socketSubscribe('ask', () => {
    for (let i = 100; i < 110; i++) page.instance.socketEmit('reply', i);
  });
  from = sends.length;
  h5.emit('ask', 1);
  await waitFor(() => atH5.length === 30);
  const answer = sends.slice(from);
  expect(answer).toHaveLength(1);
  expect(isBatch(answer[0])).toBe(true);
  expect(atH5.slice(20)).toEqual(Array.from({ length: 10 }, (_, i) => 100 + i));
  page.detach();
  h5.destroy();
});

test('two pages on one connection: the top page answers requests, the page below takes over when it leaves', async () => {
  const h5 = h5Peer();
  const below = mount();
  below.instance.socketOnRequest((api: string) => `below:${api}`);
  const top = mount();
  top.instance.socketOnRequest((api: string) => `top:${api}`);
  await waitFor(() => h5.state === 'open' && top.instance.data.socketState === 'open');
  expect(wsWx.created).toBe(2); // one for both pages, one for h5
  await expect(h5.request('who', null, { to: 'miniapp' })).resolves.toBe('top:who');
  top.detach();
  await expect(h5.request('who', null, { to: 'miniapp' })).resolves.toBe('below:who');
  const again = mount(); // a new top page without a handler does not take answering away
  await expect(h5.request('who', null, { to: 'miniapp' })).resolves.toBe('below:who');
  below.detach();
  await expect(h5.request('who', null, { to: 'miniapp' })).rejects.toMatchObject({ code: 'METHOD_NOT_FOUND' });
  again.detach();
  h5.destroy();
});

test('app hide pauses, show reconnects at once; offline pauses, online reconnects', async () => {
  config = { ...config, backoff: { base: 60000, cap: 60000 } }; // a retry could only come from show/online
  const page = mount();
  await waitFor(() => page.instance.data.socketState === 'open');
  appEvents.fire('hide');
  expect(page.instance.data.socketState).toBe('paused');
  await wsWx.settled();
  appEvents.fire('show');
  await waitFor(() => page.instance.data.socketState === 'open' && relay.connections().total === 2);

  appEvents.fire('network', { isConnected: false, networkType: 'none' });
  expect(page.instance.data.socketState).toBe('paused');
  appEvents.fire('hide');
  appEvents.fire('show'); // still offline: stays paused
  expect(page.instance.data.socketState).toBe('paused');
  appEvents.fire('network', { isConnected: true, networkType: 'wifi' });
  await waitFor(() => page.instance.data.socketState === 'open' && relay.connections().total === 3);
  page.detach();
});

test('keepAlive keeps the connection at app level after the last page; closeAllSockets ends it', async () => {
  config = { ...config, keepAlive: true };
  const page = mount();
  await waitFor(() => page.instance.data.socketState === 'open');
  page.detach();
  expect(manager.socketPoolStats()).toEqual([expect.objectContaining({ users: 0, state: 'open' })]);
  expect(relay.connections().open).toBe(1);
  const again = mount();
  expect(again.instance.data.socketState).toBe('open');
  expect(wsWx.created).toBe(1);
  again.detach();
  manager.closeAllSockets();
  await wsWx.settled();
  await waitFor(() => relay.connections().open === 0);
});

test('many mount/unmount cycles leave no connection, timer or listener behind', async () => {
  config = { ...config, heartbeatInterval: 50, pongTimeout: 200 };
  const clients: Array<{ busy: boolean }> = [];
  for (let i = 0; i < 40; i++) {
    const pages = [mount(), mount()];
    clients.push(pages[0].instance.socketClient());
    if (i % 4 === 0) await waitFor(() => pages[0].instance.data.socketState === 'open');
    pages[0].instance.socketSubscribe('e', () => undefined);
    for (const p of pages) p.detach();
  }
  expect(manager.socketPoolStats()).toEqual([]);
  expect(appEvents.count()).toBe(0);
  await wsWx.settled();
  expect(wsWx.live()).toBe(0);
  expect(clients.filter((c) => c.busy)).toEqual([]);
  expect(wsWx.created).toBeLessThanOrEqual(40);
  expect(relay.connections().total).toBeGreaterThanOrEqual(10);
});

test('changing the socketToken property moves the host to the matching shared connection', async () => {
  const url = relay.base;
  const comp = mount(propsId, { socketUrl: url, socketToken: 'one' });
  await waitFor(() => comp.instance.data.socketState === 'open');
  (comp as unknown as { setData(d: object): void }).setData({ socketToken: 'two' });
  await waitFor(() => comp.instance.data.socketState === 'open' && relay.handshakes.length === 2);
  expect(relay.handshakes.map((h) => h.token)).toEqual(['one', 'two']);
  expect(manager.socketPoolStats()).toEqual([expect.objectContaining({ key: `${url}|miniapp|two`, users: 1 })]);
  comp.detach();
});

test('a page with no URL stays idle; a bad config is a BAD_REQUEST', () => {
  const idle = mount(propsId);
  expect(idle.instance.data.socketState).toBe('idle');
  expect(idle.instance.socketStart()).toBe(false);
  expect(() => manager.acquireSocket({} as never)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  idle.detach();
});

test('a socketUrl set after the page attached connects; clearing it closes the connection', async () => {
  const url = relay.base;
  const comp = mount(propsId);
  expect(comp.instance.data.socketState).toBe('idle');
  (comp as unknown as { setData(d: object): void }).setData({ socketUrl: url, socketToken: 'late' });
  await waitFor(() => comp.instance.data.socketState === 'open');
  expect(relay.handshakes.map((h) => h.token)).toEqual(['late']);
  (comp as unknown as { setData(d: object): void }).setData({ socketUrl: '' });
  await waitFor(() => manager.socketPoolStats().length === 0);
  expect(comp.instance.socketClient()).toBeUndefined();
  comp.detach();
});

test('a second user of the same URL with other options gets a clear error, not silently the first connection', () => {
  const url = relay.base;
  const first = manager.acquireSocket({ url, env: 'miniapp', token: () => 'from-provider-one', ...FAST });
  // The same options again (an inline provider with the same source) share it.
  const same = manager.acquireSocket({ url, env: 'miniapp', token: () => 'from-provider-one', ...FAST });
  expect(same.client).toBe(first.client);
  expect(() => manager.acquireSocket({ url, env: 'miniapp', token: () => 'from-provider-two', ...FAST })).toThrow(
    expect.objectContaining({ code: 'BAD_REQUEST', message: expect.stringContaining('token') }),
  );
  expect(() => manager.acquireSocket({ url, env: 'miniapp', token: () => 'from-provider-one', ...FAST, header: { 'x-user': 'b' } })).toThrow(
    expect.objectContaining({ code: 'BAD_REQUEST', message: expect.stringContaining('header') }),
  );
  // Another env is another connection.
  const other = manager.acquireSocket({ url, env: 'admin', token: () => 'from-provider-two', ...FAST });
  expect(other.client).not.toBe(first.client);
  for (const lease of [first, same, other]) lease.release();
});

describe('faults our relay never produces (the misbehaving stand-in)', () => {
  let server: MisbehavingRelay;
  beforeEach(async () => {
    server = await MisbehavingRelay.start();
    config = { ...config, url: `ws://127.0.0.1:${server.port}/socket` };
  });
  afterEach(async () => {
    manager.closeAllSockets();
    await server.close();
  });

  test('socketEmit reports the delivery outcome; socketOn listeners end with their page', async () => {
    const page = mount();
    await waitFor(() => page.instance.data.socketState === 'open');
    const acks: string[] = [];
    const lost: string[] = [];
    page.instance.socketOn('ack', (e: { id: string }) => acks.push(e.id));
    page.instance.socketOn('undelivered', (e: { id: string; reason: string }) => lost.push(`${e.id}:${e.reason}`));
    const ok = page.instance.socketEmit('note', 1, { reliable: true });
    await ok.delivered;
    expect(acks).toEqual([ok.id]);
    server.ackMessages = false;
    const gone = page.instance.socketEmit('note', 2, { reliable: true, ttl: 50, id: 'n-2' });
    await expect(gone.delivered).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(lost).toEqual(['n-2:expired']);
    const client = page.instance.socketClient();
    const other = mount(); // keeps the shared connection alive after the first page leaves
    page.detach();
    server.ackMessages = true;
    await client.emit('note', 3, { reliable: true }).delivered;
    expect(acks).toHaveLength(1); // the detached page's listener was removed
    expect(() => page.instance.socketOn('ack', () => undefined)).toThrow(expect.objectContaining({ code: 'OFFLINE' }));
    other.detach();
  });

  test('network back retries a connection that ran out of retries, but not one closed with a terminal code', async () => {
    config = { ...config, backoff: { base: 5, cap: 5, maxRetries: 1 } };
    const page = mount();
    await waitFor(() => page.instance.data.socketState === 'open');
    await server.kill();
    await waitFor(() => page.instance.data.socketState === 'failed');
    await server.restart();
    appEvents.fire('network', { isConnected: true, networkType: 'wifi' });
    await waitFor(() => page.instance.data.socketState === 'open');

    server.closeAll(4501, 'token revoked');
    await waitFor(() => page.instance.data.socketState === 'failed');
    const connections = server.connections;
    appEvents.fire('show');
    appEvents.fire('network', { isConnected: true, networkType: 'wifi' });
    expect(page.instance.data.socketState).toBe('failed');
    expect(server.connections).toBe(connections);
    page.detach();
  });

  test('streamed answers: socketRequest with onChunk resolves with the count; socketStream is cancelled when its page detaches', async () => {
    const page = mount();
    await waitFor(() => page.instance.data.socketState === 'open');
    const items: unknown[] = [];
    const done = page.instance.socketRequest('story', { n: 3 }, { to: 'h5', onChunk: (item: unknown) => items.push(item) });
    await waitFor(() => server.inbox.some((f) => f.type === 'request' && f.api === 'story'));
    const request = server.inbox.find((f) => f.type === 'request' && f.api === 'story') as unknown as { id: string; stream?: boolean };
    expect(request.stream).toBe(true);
    server.push('tok', 'miniapp', { type: 'chunk', id: request.id, n: 0, data: ['Once', ' upon'], from: 'h5' });
    server.push('tok', 'miniapp', { type: 'chunk', id: request.id, n: 1, data: [' a time'], from: 'h5' });
    server.push('tok', 'miniapp', { type: 'response', id: request.id, ok: true, chunks: 2, from: 'h5' });
    await expect(done).resolves.toBe(3);
    expect(items).toEqual(['Once', ' upon', ' a time']);

    const stream = page.instance.socketStream('story', { n: 100 }, { to: 'h5' });
    await waitFor(() => server.inbox.filter((f) => f.type === 'request' && f.api === 'story').length === 2);
    page.detach();
    await expect(stream.done).rejects.toMatchObject({ code: 'CANCELLED' });
    await waitFor(() => server.inbox.some((f) => f.type === 'cancel' && f.id === stream.id));
  });
});
