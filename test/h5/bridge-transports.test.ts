/**
 * createBridge over a list of CallTransports, in headless Chromium with the lite <script> build
 * (navigate channel only) and a transport of the page's own (`beacon`) given in `transports`:
 * 'auto' takes the first open one and falls back to the navigate channel (the real weixin-js-sdk
 * in a mini program web-view, test/helpers/wechat-webview.ts), a name takes that transport, an
 * unknown name is OFFLINE, pushes of every transport reach `on`, destroy closes each transport once.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { HeadlessBrowser, launchBrowser, serveFiles, StaticServer } from '../helpers/chromium';
import { MINIPROGRAM_UA, bundlePage, openWebview } from '../helpers/wechat-webview';

const PAGE = `<!doctype html><meta charset="utf-8"><title>transports</title>
<script>__wechat.ready('miniprogram');</script>
<script src="/jweixin.js"></script>
<script src="/lite.js"></script>
<script>
  // A transport of the page's own: records its calls, answers them, can push and be closed.
  function makeTransport(name) {
    var t = { name: name, open: true, calls: [], closed: 0, push: null };
    t.isOpen = function () { return t.open; };
    t.call = function (api, params, timeout) {
      t.calls.push([api, params, timeout]);
      return Promise.resolve(name + ':' + api);
    };
    t.onPush = function (fn) { t.push = fn; return function () { t.push = null; }; };
    t.close = function () { t.closed++; };
    return t;
  }
  window.__beacon = makeTransport('beacon');
  window.__pigeon = makeTransport('pigeon');
  window.__pushes = [];
  window.__bridge = HybridKit.createBridge({ transports: [__beacon, __pigeon], timeout: 7000, callPage: '/pages/call/index' });
  __bridge.on('news', function (d) { __pushes.push(d); });
  window.__settle = function (api, options) {
    return __bridge.call(api, { q: 1 }, options).then(
      function (d) { return ['ok', d]; },
      function (e) { return [e.code, e.message]; });
  };
</script>`;

let server: StaticServer;
let browser: HeadlessBrowser;
let page: Page;

jest.setTimeout(30_000);

beforeAll(async () => {
  server = await serveFiles({
    '/web.html': PAGE,
    '/lite.js': fs.readFileSync(path.resolve(__dirname, '../../dist/h5/hybrid-kit.lite.js')),
    '/jweixin.js': await bundlePage("import wx from 'weixin-js-sdk'; window.wx = wx;"),
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

beforeEach(async () => {
  page = await openWebview(() => browser.newPage(), MINIPROGRAM_UA);
  await page.goto(server.origin + '/web.html');
});

afterEach(() => page.close());

const settle = (api: string, options?: unknown): Promise<[string, unknown]> =>
  page.evaluate(([a, o]) => (window as any).__settle(a, o), [api, options] as const);
const w = (fn: () => unknown): Promise<any> => page.evaluate(fn);
const navigations = () => w(() => (window as any).__wechat.navigations().map((u: string) => JSON.parse(decodeURIComponent(u.split('cmd=')[1])).api));

test("'auto' takes the first open transport of the list, then the next, then the navigate channel", async () => {
  expect(await settle('one')).toEqual(['ok', 'beacon:one']);
  await w(() => ((window as any).__beacon.open = false));
  expect(await settle('two')).toEqual(['ok', 'pigeon:two']);
  await w(() => ((window as any).__pigeon.open = false));
  await w(() => {
    (window as any).__settle('three');
  });
  await page.waitForFunction(() => (window as any).__wechat.navigations().length === 1);
  expect(await navigations()).toEqual(['three']);
  expect(await w(() => [(window as any).__beacon.calls, (window as any).__pigeon.calls])).toEqual([[['one', { q: 1 }, 7000]], [['two', { q: 1 }, 7000]]]);
});

test('a name takes that transport, open or not; a name the bridge does not have is OFFLINE', async () => {
  await w(() => ((window as any).__beacon.open = false));
  expect(await settle('named', { transport: 'beacon', timeout: 1234 })).toEqual(['ok', 'beacon:named']);
  expect(await w(() => (window as any).__beacon.calls)).toEqual([['named', { q: 1 }, 1234]]);
  await w(() => {
    (window as any).__settle('nav', { transport: 'navigate' });
  });
  await page.waitForFunction(() => (window as any).__wechat.navigations().length === 1);
  expect(await navigations()).toEqual(['nav']);
  expect(await settle('x', { transport: 'socket' })).toEqual(['OFFLINE', 'no "socket" transport is configured']);
  expect(await settle('y', { transport: 'carrier' })).toEqual(['OFFLINE', 'no "carrier" transport is configured']);
  expect(await w(() => (window as any).__pigeon.calls.length)).toBe(0);
});

test('pushes of a transport reach on(); destroy closes every transport once, cancels the navigate calls, and nothing reaches a listener after it', async () => {
  await w(() => (window as any).__pigeon.push('news', { n: 1 }));
  await page.evaluate(() => (location.hash = '#_hkpush=' + encodeURIComponent(JSON.stringify([{ id: 'p1', event: 'news', data: { n: 2 } }])) + '&v=1'));
  await page.waitForFunction(() => (window as any).__pushes.length === 2);
  const waiting = page.evaluate(() => (window as any).__settle('late', { transport: 'navigate' }));
  await page.waitForFunction(() => (window as any).__wechat.navigations().length === 1);
  await w(() => {
    const win = window as any;
    win.__bridge.destroy();
    win.__bridge.destroy();
    if (win.__beacon.push) win.__beacon.push('news', { n: 3 });
  });
  expect(await waiting).toEqual(['CANCELLED', 'the bridge was destroyed']);
  expect(await w(() => [(window as any).__beacon.closed, (window as any).__pigeon.closed])).toEqual([1, 1]);
  expect(await w(() => (window as any).__pushes)).toEqual([{ n: 1 }, { n: 2 }]);
  expect(await settle('after')).toEqual(['CANCELLED', 'the bridge was destroyed']);
});
