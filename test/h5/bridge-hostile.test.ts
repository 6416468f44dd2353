/**
 * The H5 SDK (the built <script>, in headless Chromium) against hostile and unlucky hashes: junk
 * replies, event names of Object.prototype, many pushes, an oversized hash, destroy() with timers
 * pending. The page runs the real npm weixin-js-sdk (bundled, set as window.wx as the official
 * <script> does) in a mini program web-view as the client makes it (test/helpers/wechat-webview.ts):
 * the client records each navigateTo and never answers unless told. A navigateTo held by the SDK
 * itself (JS bridge not ready) is in test/h5/weixin-js-sdk.test.ts.
 */
import type { Page } from 'playwright-core';
import { HeadlessBrowser, launchBrowser, serveH5, StaticServer } from '../helpers/chromium';
import { pollPage } from '../helpers/h5-page';
import { MINIPROGRAM_UA, WECHAT_UA, bundlePage, openWebview } from '../helpers/wechat-webview';

const PAGE = `<!doctype html><meta charset="utf-8"><title>hostile</title>
<script>
  // ?bridge=late: the JS bridge is not ready yet (the SDK holds getEnv and navigateTo).
  if (!/bridge=late/.test(location.search)) __wechat.ready('miniprogram');
  // Storage traffic of the bridge's key, and the timers alive in the page.
  window.__io = { reads: 0, writes: 0 };
  var getItem = Storage.prototype.getItem, setItem = Storage.prototype.setItem;
  Storage.prototype.getItem = function (k) { if (k === 'hk:bridge') __io.reads++; return getItem.apply(this, arguments); };
  Storage.prototype.setItem = function (k) { if (k === 'hk:bridge') __io.writes++; return setItem.apply(this, arguments); };
  window.__timers = new Set();
  var st = window.setTimeout, ct = window.clearTimeout;
  window.setTimeout = function (fn, ms) { var id = st(function () { __timers.delete(id); fn(); }, ms); __timers.add(id); return id; };
  window.clearTimeout = function (id) { __timers.delete(id); ct(id); };
</script>
<script src="/jweixin.js"></script>
<script src="/hybrid-kit.js"></script>
<script>
  window.__log = [];
  window.__settled = {};
  window.__call = function (name, timeout) {
    __settled[name] = 'pending';
    __bridge.call(name, null, { timeout: timeout || 8000 }).then(
      function (d) { __settled[name] = ['ok', d]; },
      function (e) { __settled[name] = [e.code, e.message]; });
  };
  window.__req = function (i) { return JSON.parse(decodeURIComponent(__wechat.navigations()[i].split('cmd=')[1])).req; };
  window.__bridge = HybridKit.createBridge({ envTimeout: 100 });
</script>`;

let server: StaticServer;
let browser: HeadlessBrowser;
let page: Page;

jest.setTimeout(30_000);

beforeAll(async () => {
  server = await serveH5({ '/hostile.html': PAGE, '/jweixin.js': await bundlePage("import wx from 'weixin-js-sdk'; window.wx = wx;") });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function open(userAgent: string, query = ''): Promise<void> {
  page = await openWebview(() => browser.newPage(), userAgent);
  await page.goto(server.origin + '/hostile.html' + query);
}

beforeEach(() => open(MINIPROGRAM_UA));

afterEach(() => page.close());

const reply = (req: string, payload: unknown, nonce: number) => `#${req}=${encodeURIComponent(JSON.stringify(payload))}&v=${nonce}`;

test('junk replies (malformed code, no message) settle nothing; the genuine reply that comes later does', async () => {
  await page.evaluate(() => (window as any).__call('a'));
  const req = await pollPage(page, () => ((window as any).__wechat.navigations().length ? (window as any).__req(0) : undefined));
  const junk = [
    { ok: false, error: { code: '', message: 'x' } },
    { ok: false, error: { code: 'timeout', message: 'x' } },
    { ok: false, error: { code: '<img src=x onerror=alert(1)>', message: 'x' } },
    { ok: false, error: { code: 'TIMEOUT' } },
    { ok: false, error: 'TIMEOUT' },
    { ok: 'yes', data: 1 },
  ];
  for (let i = 0; i < junk.length; i++) {
    await page.evaluate((h) => (location.hash = h), reply(req, junk[i], i));
    await page.evaluate(() => (window as any).__bridge.check());
  }
  expect(await page.evaluate(() => (window as any).__settled.a)).toBe('pending');
  await page.evaluate((h) => (location.hash = h), reply(req, { ok: false, error: { code: 'NEWER_CODE', message: 'from a newer mini program' } }, 99));
  expect(await pollPage(page, () => ((window as any).__settled.a !== 'pending' ? (window as any).__settled.a : undefined))).toEqual([
    'NEWER_CODE',
    'from a newer mini program',
  ]);
});

test('pushes named constructor, __proto__, toString reach their listeners and the rest of the hash is not lost', async () => {
  const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'after'];
  await page.evaluate((list) => {
    for (const name of list) (window as any).__bridge.on(name, (d: unknown) => (window as any).__log.push([name, d]));
  }, names);
  const pushes = names.map((event, i) => ({ id: 'p' + i, event, data: i }));
  await page.evaluate((h) => (location.hash = h), `#_hkpush=${encodeURIComponent(JSON.stringify(pushes))}&v=1`);
  const log = await pollPage(page, () => ((window as any).__log.length === 5 ? (window as any).__log : undefined));
  expect(log).toEqual(names.map((name, i) => [name, i]));
});

test('a hash full of pushes is remembered with one storage write (a read per scan, not per push), each push delivered once', async () => {
  await page.evaluate(() => (window as any).__bridge.on('e', (d: unknown) => (window as any).__log.push(d)));
  const pushes = Array.from({ length: 110 }, (_, i) => ({ id: 'q' + i, event: 'e', data: i }));
  const hash = `#_hkpush=${encodeURIComponent(JSON.stringify(pushes))}&v=1`;
  expect(hash.length).toBeLessThan(8192);
  const before = await page.evaluate(() => ({ ...(window as any).__io }));
  await page.evaluate((h) => (location.hash = h), hash);
  const log = await pollPage(page, () => ((window as any).__log.length === 110 ? (window as any).__log : undefined));
  expect(log).toEqual(pushes.map((p) => p.data));
  const after = await page.evaluate(() => ({ ...(window as any).__io }));
  expect(after.writes - before.writes).toBe(1);
  // hashchange and popstate both scan the new hash: one read each, whatever the number of pushes.
  expect(after.reads - before.reads).toBeLessThanOrEqual(3);
  // Read again: nothing twice, nothing written.
  await page.evaluate(() => (window as any).__bridge.check());
  expect(await page.evaluate(() => (window as any).__log.length)).toBe(110);
  expect(await page.evaluate(() => (window as any).__io.writes)).toBe(after.writes);
});

test('a hash longer than the limit is ignored as a whole, and the page goes on working', async () => {
  await page.evaluate(() => (window as any).__bridge.on('e', (d: unknown) => (window as any).__log.push(d)));
  const push = `_hkpush=${encodeURIComponent(JSON.stringify([{ id: 'big', event: 'e', data: 1 }]))}`;
  await page.evaluate((p) => (location.hash = '#' + p + '&' + 'a=x&'.repeat(1 << 14) + 'v=1'), push);
  await page.evaluate(() => (window as any).__bridge.check());
  expect(await page.evaluate(() => (window as any).__log)).toEqual([]);
  await page.evaluate((p) => (location.hash = '#' + p + '&v=2'), push);
  expect(await pollPage(page, () => ((window as any).__log.length ? (window as any).__log : undefined))).toEqual([1]);
});

test('destroy() stops every timer: env detection, call timeouts, recovery of earlier calls (no event after destroy)', async () => {
  // A client without the miniProgram token whose JS bridge is not ready: the SDK holds getEnv, so
  // detection waits for its timeout. An earlier load of the page left a sent call still waiting.
  await page.close();
  await open(WECHAT_UA, '?bridge=late');
  await page.evaluate(() => {
    const w = window as any;
    w.__bridge.destroy();
    sessionStorage.setItem('hk:bridge', JSON.stringify({ calls: [{ req: 'old1', api: 'x', deadline: Date.now() + 150, sent: true, doc: 'earlier' }], pushes: [] }));
    w.__timers.clear();
    w.__bridge = w.HybridKit.createBridge({ envTimeout: 5000 });
    w.__bridge.onRecovered((r: unknown) => w.__log.push(r));
  });
  await pollPage(page, () => ((window as any).__timers.size === 1 ? true : undefined)); // the recovery timer, after the start tick
  await page.evaluate(() => {
    const w = window as any;
    w.__bridge.env();
    w.__call('late', 4000);
  });
  expect(await page.evaluate(() => (window as any).__timers.size)).toBeGreaterThanOrEqual(3);
  await page.evaluate(() => (window as any).__bridge.destroy());
  expect(await page.evaluate(() => (window as any).__timers.size)).toBe(0);
  await new Promise((r) => setTimeout(r, 300));
  expect(await page.evaluate(() => (window as any).__log)).toEqual([]);
  expect(await page.evaluate(() => (window as any).__settled.late)).toEqual(['CANCELLED', 'the bridge was destroyed']);
});
