/**
 * A page written for the original navigate + hash helper, unchanged, against our mini program side:
 *  - the helper reproduced from its published behaviour (test/fixtures/legacy/old-hybrid-helper.js)
 *    in headless Chromium as the web-view page, with the JS-SDK played by the harness;
 *  - the BUILT bridge-webview under miniprogram-simulate on the web-view page;
 *  - the call page at the old path pages/hybrid-page/hybrid, in two forms: the one-file page the
 *    docs show (test/fixtures/legacy/mini-program) and a copy of the shipped call page.
 * The old helper answers only a hash of the form `#<req>=<value>&v=<nonce>`, so every callback
 * value below proves the exact bytes we wrote.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { HeadlessBrowser, launchBrowser, PageLog, serveFiles, StaticServer, watchPage } from '../helpers/chromium';
import { tempDirs } from '../helpers/tmp';
import { closeMiniProgramGlobals, installMiniProgramGlobals } from '../helpers/mp-globals';
import { MP_ROOT, mpModule } from '../helpers/mp-dist';
import { RelayPageLocation, WeChatHarness } from '../helpers/wechat-harness';
import { WebviewDriver } from '../helpers/webview-driver';

jest.setTimeout(30_000);

installMiniProgramGlobals();
const { defaultRegistry } = mpModule('core/registry');

const FIXTURES = path.resolve(__dirname, '../fixtures/legacy');
const OLD_PAGE_ROUTE = 'pages/hybrid-page/hybrid';
const PAGE = `<!doctype html><meta charset="utf-8"><title>old page</title>
<script src="/old-hybrid-helper.js"></script>
<script>
  window.__results = [];
  window.__callOld = function (api, params) {
    return new Promise(function (resolve) { miniProgramHybrid.call(api, params, resolve); });
  };
</script>`;

/** The docs' one-file page, and the shipped call page copied to the old path. */
function copiedShippedPage(dir: string): RelayPageLocation {
  const target = path.join(dir, 'pages/hybrid-page');
  fs.mkdirSync(target, { recursive: true });
  for (const ext of ['js', 'json', 'wxml', 'wxss']) {
    fs.copyFileSync(path.join(MP_ROOT, 'pages/hybrid-call/index.' + ext), path.join(target, 'hybrid.' + ext));
  }
  return { root: dir, path: OLD_PAGE_ROUTE };
}

const tmp = tempDirs('legacy-helper');
let server: StaticServer;
let browser: HeadlessBrowser;
const offs: Array<() => void> = [];

beforeAll(async () => {
  server = await serveFiles({
    '/app.html': PAGE,
    '/old-hybrid-helper.js': fs.readFileSync(path.join(FIXTURES, 'old-hybrid-helper.js')),
  });
  browser = await launchBrowser({ timeout: 25_000 });
  offs.push(
    defaultRegistry.register('value', (p: { value: unknown }) => p.value),
    defaultRegistry.register('nothing', () => undefined),
    defaultRegistry.register('later', (p: { ms: number; value: unknown }) => new Promise((r) => setTimeout(() => r(p.value), p.ms))),
    defaultRegistry.register('throws', () => {
      throw new Error('broke');
    }),
  );
});

afterAll(async () => {
  offs.forEach((off) => off());
  await browser?.close();
  await server?.close();
  closeMiniProgramGlobals();
  tmp.cleanup();
});

const HOSTILE = '100% = a&b #frag +1 ?x=y 中文 😀👍🏽';

describe.each([
  ['the one-file page of the docs', () => ({ root: path.join(FIXTURES, 'mini-program'), path: OLD_PAGE_ROUTE })],
  ['a copy of the shipped call page', () => copiedShippedPage(tmp.make())],
])('old helper page ⇄ %s + bridge-webview', (_name, callPageAt) => {
  let page: Page;
  let log: PageLog;
  let h: WeChatHarness;
  let callPage: RelayPageLocation;

  beforeAll(() => {
    callPage = callPageAt();
  });

  async function open(src: string): Promise<void> {
    h = new WeChatHarness({ src, callPage });
    page = await browser.newPage();
    log = watchPage(page);
    await new WebviewDriver(h, page).start();
  }

  const callOld = (api: string, params?: unknown): Promise<unknown> =>
    page.evaluate(([a, p]) => (window as any).__callOld(a, p), [api, params] as const);

  afterEach(async () => {
    await page?.close();
    h?.close();
  });

  test('values come back as the old helper expects them, byte for byte', async () => {
    await open(server.origin + '/app.html');
    expect(await callOld('value', { value: HOSTILE })).toBe(HOSTILE);
    expect(await callOld('value', { value: '' })).toBe('');
    expect(await callOld('nothing')).toBe('0');
    expect(await callOld('value', { value: null })).toBe('0');
    expect(await callOld('value', { value: 42 })).toBe('42');
    expect(await callOld('value', { value: false })).toBe('false');
    const obj = { a: 1, s: '= & % # +', zh: '你好' };
    expect(JSON.parse((await callOld('value', { value: obj })) as string)).toEqual(obj);
    // The hash holds the reply alone: `<req>=<encodeURIComponent(value)>&v=<nonce>`.
    const hash = await page.evaluate(() => location.hash);
    expect(hash).toMatch(/^#H5Req_[0-9a-z]{9,10}=%7B%22a%22%3A1%2C[^&#]*&v=[0-9a-z]+$/);
    expect(log.errors).toEqual([]);
  });

  test('errors arrive as their error codes, not as a hang', async () => {
    await open(server.origin + '/app.html');
    expect(await callOld('throws')).toBe('HANDLER_ERROR');
    expect(await callOld('missing', { x: 1 })).toBe('METHOD_NOT_FOUND');
    // Junk the old helper can send: no api name, an api that is not a string.
    expect(await callOld('')).toBe('BAD_REQUEST');
    expect(await callOld(null as unknown as string)).toBe('BAD_REQUEST');
    expect(await callOld({ not: 'a name' } as unknown as string)).toBe('BAD_REQUEST');
    // Still working afterwards.
    expect(await callOld('value', { value: 'after' })).toBe('after');
    expect(log.errors).toEqual([]);
  });

  test('a broken old command whose req can be read is answered BAD_REQUEST in the old shape', async () => {
    await open(server.origin + '/app.html');
    await page.evaluate(() => {
      const cmd = encodeURIComponent('{"req":"H5Req_junk000","api":"value","params":{');
      (window as any).wx.miniProgram.navigateTo({ url: '/pages/hybrid-page/hybrid?cmd=' + cmd });
    });
    await page.waitForFunction(() => location.hash.indexOf('#H5Req_junk000=') === 0, undefined, { timeout: 5000 });
    expect(await page.evaluate(() => location.hash)).toMatch(/^#H5Req_junk000=BAD_REQUEST&v=[0-9a-z]+$/);
  });

  test('a web-view src with its own #fragment: the whole fragment is replaced, the old helper answers', async () => {
    await open(server.origin + '/app.html?from=mp#/home?tab=1&x=2');
    expect(await page.evaluate(() => location.hash)).toBe('#/home?tab=1&x=2');
    expect(await callOld('value', { value: HOSTILE })).toBe(HOSTILE);
    const url = new URL(await page.evaluate(() => location.href));
    expect(url.search).toMatch(/^\?from=mp&_t=\d+$/); // the part before '#' never changed
    expect(url.hash).toMatch(/^#H5Req_[0-9a-z]+=[^&]*&v=[0-9a-z]+$/);
    expect(log.errors).toEqual([]);
  });

  test('five calls in a row, equal results included, each answered once', async () => {
    await open(server.origin + '/app.html');
    const got = await page.evaluate(async () => {
      const w = window as any;
      const out: unknown[] = [];
      for (let i = 0; i < 5; i++) out.push(await w.__callOld(i % 2 ? 'nothing' : 'later', { ms: 5, value: 'same' }));
      return out;
    });
    expect(got).toEqual(['same', '0', 'same', '0', 'same']);
    expect(h.relayCount).toBe(5);
    expect(h.stackedRelays).toBe(0);
    expect(h.backCount).toBe(5);
    expect(log.errors).toEqual([]);
  });
});
