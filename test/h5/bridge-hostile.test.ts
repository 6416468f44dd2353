/**
 * The H5 SDK (the built <script>, in headless Chromium) against hostile and unlucky hashes and a
 * JS-SDK that holds navigateTo: junk replies, event names of Object.prototype, many pushes, an
 * oversized hash, destroy() with timers pending, navigateTo held while WeixinJSBridge is not ready.
 * The page's `wx.miniProgram` is ours: navigateTo only records (and holds) the call.
 */
import type { Page } from 'playwright-core';
import { HeadlessBrowser, launchBrowser, serveH5, StaticServer } from '../helpers/chromium';
import { pollPage } from '../helpers/h5-page';

const PAGE = `<!doctype html><meta charset="utf-8"><title>hostile</title>
<script>
  window.__wxjs_environment = 'miniprogram';
  window.__held = [];
  window.wx = { miniProgram: {
    navigateTo: function (o) { __held.push(o); },
    postMessage: function () {},
    getEnv: function () {}
  } };
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
  window.__req = function (i) { return JSON.parse(decodeURIComponent(__held[i].url.split('cmd=')[1])).req; };
  window.__bridge = HybridKit.createBridge({ envTimeout: 100 });
</script>`;

let server: StaticServer;
let browser: HeadlessBrowser;
let page: Page;

jest.setTimeout(30_000);

beforeAll(async () => {
  server = await serveH5({ '/hostile.html': PAGE });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

beforeEach(async () => {
  page = await browser.newPage();
  await page.goto(server.origin + '/hostile.html');
});

afterEach(() => page.close());

const reply = (req: string, payload: unknown, nonce: number) => `#${req}=${encodeURIComponent(JSON.stringify(payload))}&v=${nonce}`;

test('junk replies (malformed code, no message) settle nothing; the genuine reply that comes later does', async () => {
  await page.evaluate(() => (window as any).__call('a'));
  const req = await pollPage(page, () => ((window as any).__held.length ? (window as any).__req(0) : undefined));
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
  // An earlier load of the page left a sent call that is still waiting for its reply.
  await page.evaluate(() => {
    const w = window as any;
    w.__bridge.destroy();
    sessionStorage.setItem('hk:bridge', JSON.stringify({ calls: [{ req: 'old1', api: 'x', deadline: Date.now() + 150, sent: true, doc: 'earlier' }], pushes: [] }));
    w.__timers.clear();
    delete w.__wxjs_environment; // and getEnv never answers: detection waits for its timeout
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

test('navigateTo held by the JS-SDK (WeixinJSBridge not ready) and short timeouts: never a second navigateTo until it is known to have happened', async () => {
  await page.evaluate(() => {
    for (const name of ['c1', 'c2', 'c3']) (window as any).__call(name, 60);
  });
  const settled = await pollPage(page, () => {
    const s = (window as any).__settled;
    return ['c1', 'c2', 'c3'].every((n) => s[n] !== 'pending') ? s : undefined;
  });
  expect([settled.c1[0], settled.c2[0], settled.c3[0]]).toEqual(['TIMEOUT', 'TIMEOUT', 'TIMEOUT']);
  expect(await page.evaluate(() => (window as any).__held.length)).toBe(1);
  // The JS-SDK is ready: the held navigateTo fires and succeeds; a new call may navigate again.
  await page.evaluate(() => {
    (window as any).__held[0].success();
    (window as any).__call('c4', 4000);
  });
  expect(await pollPage(page, () => ((window as any).__held.length === 2 ? true : undefined))).toBe(true);
  expect(await page.evaluate(() => (window as any).__req(1))).not.toBe(await page.evaluate(() => (window as any).__req(0)));
});
