/**
 * The socket transport end to end: the H5 SDK in headless Chromium ⇄ the real relay server
 * (dist/node/server, 127.0.0.1:0) ⇄ the mini program's core SocketClient (built, over `ws`)
 * answering from the same handler registry; with the navigate channel as the fallback.
 */
import type { Page } from 'playwright-core';
import { HeadlessBrowser, launchBrowser, serveH5, StaticServer } from '../helpers/chromium';
import { closeMiniProgramGlobals, installMiniProgramGlobals } from '../helpers/mp-globals';
import { mpModule } from '../helpers/mp-dist';
import { WeChatHarness } from '../helpers/wechat-harness';
import { WebviewDriver } from '../helpers/webview-driver';
import { pollPage, settleCall } from '../helpers/h5-page';
import { registerTestHandlers } from '../helpers/e2e-handlers';
import { sleep, waitFor } from '../helpers/wait';

installMiniProgramGlobals();
const { defaultRegistry } = mpModule('core/registry');
const { SocketClient } = mpModule('core/socket/client');
const { webSocketTransport } = mpModule('core/socket/transport');
const { serveSocketRequests, pushOverSocket } = mpModule('services/socket-requests');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createRelayServer } = require('../../dist/node/server');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const WS = require('ws');

const APP = `<!doctype html><meta charset="utf-8"><title>h5 socket</title>
<script src="/hybrid-kit.js"></script>
<script>
  var q = new URLSearchParams(location.search);
  window.__log = [];
  window.__socket = HybridKit.createSocketCallTransport({ url: q.get('ws'), token: q.get('token'), client: { heartbeatInterval: 0, backoff: { base: 50, cap: 200 } } });
  window.__bridge = HybridKit.createBridge({ callPage: '/pages/hybrid-call/index', timeout: 4000, envTimeout: 300, socket: window.__socket });
  __bridge.on('news', function (d) { __log.push(['news', d]); });
</script>`;

let server: StaticServer;
let relay: any;
let browser: HeadlessBrowser;
let page: Page;
let h: WeChatHarness;
let driver: WebviewDriver;
let mini: any;
let stopServing: () => void;
let tokenCounter = 0;
const offs: Array<() => void> = [];
const gates = new Map<number, () => void>();
const storyEnds: Array<{ cancelled: boolean }> = [];

function connectMiniProgram(token: string): any {
  const client = new SocketClient({
    transport: webSocketTransport(WS),
    target: `${relay.url()}?token=${encodeURIComponent(token)}&env=miniapp`,
    heartbeatInterval: 0,
    backoff: { base: 50, cap: 200 },
  });
  stopServing = serveSocketRequests(client);
  client.connect();
  return client;
}

// Launching Chromium on a loaded machine (parallel suites, 2 cores) takes longer than jest's default 5 s.
jest.setTimeout(30_000);

beforeAll(async () => {
  server = await serveH5({ '/app.html': APP });
  relay = createRelayServer({ port: 0, host: '127.0.0.1', logger: false, resumeWaitMs: 100 });
  await relay.listen();
  browser = await launchBrowser();
  offs.push(registerTestHandlers(defaultRegistry, 'sock.'));
  // Answers when the test opens its gate: completion order is decided by the test, not by timers.
  offs.push(
    defaultRegistry.register('sock.story', async function* (p: { n: number; every?: number }, ctx: any) {
      try {
        for (let i = 0; i < p.n; i++) {
          if (p.every) await sleep(p.every);
          yield { i, text: '第' + i + '段 ' };
        }
      } finally {
        storyEnds.push({ cancelled: ctx.cancelled });
      }
    } as never),
  );
  offs.push(defaultRegistry.register('sock.gate', (p: { i: number }) => new Promise((resolve) => gates.set(p.i, () => resolve({ i: p.i, zh: '第' + p.i })))));
});

afterAll(async () => {
  offs.forEach((off) => off());
  await browser?.close();
  await relay?.close();
  await server?.close();
  closeMiniProgramGlobals();
});

beforeEach(async () => {
  const token = `tok-${++tokenCounter}-${Date.now()}`;
  mini = connectMiniProgram(token);
  h = new WeChatHarness({ src: server.origin + '/app.html', query: { ws: relay.url(), token } });
  page = await browser.newPage();
  driver = new WebviewDriver(h, page);
  await driver.start();
  await pollPage(page, () => ((window as any).__socket.isOpen() ? true : undefined));
});

afterEach(async () => {
  await page.close();
  stopServing();
  mini.destroy();
  h.close();
});

test('concurrent calls go over the socket, no call page, answered in order of completion', async () => {
  gates.clear();
  const result = page.evaluate(() => {
    const w = window as any;
    const order: number[] = [];
    const calls = [];
    for (let i = 0; i < 20; i++) {
      calls.push(w.__bridge.call('sock.gate', { i }).then((d: any) => {
        order.push(d.i);
        return d;
      }));
    }
    return Promise.all(calls).then((data) => ({ data, order }));
  });
  await waitFor(() => gates.size === 20, 4000, 'all 20 requests at the mini program');
  // Complete them in reverse: the responses leave in that order over one socket.
  for (let i = 19; i >= 0; i--) gates.get(i)!();
  const { data, order } = await result;
  expect(data).toEqual([...Array(20).keys()].map((i) => ({ i, zh: '第' + i })));
  expect(order).toEqual([...Array(20).keys()].reverse());
  expect(h.relayCount).toBe(0);
  expect(h.srcHistory).toHaveLength(1);
});

test('errors and timeouts over the socket keep their codes; hostile params round-trip', async () => {
  expect(await settleCall(page, 'sock.missing')).toMatchObject({ ok: false, code: 'METHOD_NOT_FOUND' });
  expect(await settleCall(page, 'sock.throws')).toMatchObject({ ok: false, code: 'HANDLER_ERROR', message: 'sock.handler broke' });
  const saved = defaultRegistry.timeout;
  defaultRegistry.timeout = 40;
  try {
    expect(await settleCall(page, 'sock.never')).toMatchObject({ ok: false, code: 'TIMEOUT' });
  } finally {
    defaultRegistry.timeout = saved;
  }
  expect(await settleCall(page, 'sock.wait', { ms: 200, v: 1 }, { timeout: 30 })).toMatchObject({ ok: false, code: 'TIMEOUT' });
  const params = { s: '100% + 1 = #2 & 3', zh: '你好', emoji: '🎉👍🏽', big: 'x'.repeat(20_000) };
  expect(await settleCall(page, 'sock.echo', params)).toEqual({ ok: true, data: params });
  expect(h.relayCount).toBe(0);
});

test('pushes from the mini program over the socket reach on() listeners', async () => {
  pushOverSocket(mini, 'news', { title: '实时 ⚡', n: 1 });
  pushOverSocket(mini, 'news', { title: '实时 ⚡', n: 1 });
  const news = await pollPage(page, () => {
    const got = (window as any).__log.filter((e: any) => e[0] === 'news');
    return got.length === 2 ? got : undefined;
  });
  expect(news).toEqual([['news', { title: '实时 ⚡', n: 1 }], ['news', { title: '实时 ⚡', n: 1 }]]);
  expect(h.srcHistory).toHaveLength(1);
});

test('when the mini program leaves the socket, calls fall back to the navigate channel', async () => {
  expect(await settleCall(page, 'sock.echo', 'over the socket')).toEqual({ ok: true, data: 'over the socket' });
  expect(h.relayCount).toBe(0);
  mini.close();
  await pollPage(page, () => ((window as any).__socket.isOpen() ? undefined : true));
  expect(await settleCall(page, 'sock.echo', 'over navigate')).toEqual({ ok: true, data: 'over navigate' });
  expect(h.relayCount).toBe(1);
  // Forcing the socket while the peer is away: the relay keeps the request for a returning peer,
  // so the call ends with its own TIMEOUT rather than hanging.
  const forced = await settleCall(page, 'sock.echo', 1, { transport: 'socket', timeout: 150 });
  expect(forced).toMatchObject({ ok: false, code: 'TIMEOUT' });
  // The mini program comes back: the socket is used again.
  mini.connect();
  await pollPage(page, () => ((window as any).__socket.isOpen() ? true : undefined));
  expect(await settleCall(page, 'sock.echo', 'socket again')).toEqual({ ok: true, data: 'socket again' });
  expect(h.relayCount).toBe(1);
});



test('socket.stream: for await gets every item in order; onChunk and done agree', async () => {
  const got = await page.evaluate(async () => {
    const w = window as any;
    const items: unknown[] = [];
    for await (const item of w.__socket.stream('sock.story', { n: 300 })) items.push(item);
    const counted: unknown[] = [];
    const n = await w.__socket.stream('sock.story', { n: 5 }, { onChunk: (x: unknown) => counted.push(x) }).done;
    return { items, counted, n };
  });
  expect(got.items).toEqual([...Array(300).keys()].map((i) => ({ i, text: '第' + i + '段 ' })));
  expect(got.counted).toHaveLength(5);
  expect(got.n).toBe(5);
  expect(h.relayCount).toBe(0);
});

test('socket.stream cancelled from the page stops the mini program handler (ctx.cancelled)', async () => {
  storyEnds.length = 0;
  const result = await page.evaluate(async () => {
    const w = window as any;
    const s = w.__socket.stream('sock.story', { n: 100000, every: 2 });
    const items: unknown[] = [];
    try {
      for await (const item of s) {
        items.push(item);
        if (items.length === 3) s.cancel('enough'); // the loop then ends with the CANCELLED error
      }
      return { items: items.length, code: 'none' };
    } catch (e: any) {
      return { items: items.length, code: e.code };
    }
  });
  expect(result).toEqual({ items: 3, code: 'CANCELLED' });
  await waitFor(() => storyEnds.length === 1, 3000, 'the handler to stop');
  expect(storyEnds[0].cancelled).toBe(true);
});

test('socket.stream while the mini program is not connected throws OFFLINE at once', async () => {
  const got = await page.evaluate(() => {
    const q = new URLSearchParams(location.search);
    const lonely = (window as any).HybridKit.createSocketCallTransport({ url: q.get('ws'), token: 'nobody-here', client: { heartbeatInterval: 0 } });
    try {
      lonely.stream('sock.story', { n: 1 });
      return 'returned';
    } catch (e: any) {
      return e.code + ': ' + e.message;
    } finally {
      lonely.close();
    }
  });
  expect(got).toBe('OFFLINE: the mini program ("miniapp") is not connected to the relay');
});
