/**
 * The demo's bridge page end to end over the navigate channel, every part real:
 *  - the demo mini program built as a user gets it (tools/demo → miniprogram_npm through 构建npm), its
 *    app.js launched (the demo handlers registered) and its bridge page (pages/bridge) under
 *    miniprogram-simulate, holding the library's bridge-webview from miniprogram_npm;
 *  - the relay server (dist/node/server, 127.0.0.1:0) serving the H5 demo page (tools/demo-h5) at `/`;
 *  - the H5 demo page in headless Chromium as the web-view, driven through its own buttons;
 *  - WeChat played by test/helpers/wechat-harness.ts: the page's `wx.miniProgram.navigateTo` opens the
 *    library's call page from the demo's miniprogram_npm, each new web-view `src` navigates Chromium.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { HeadlessBrowser, launchBrowser, PageLog, watchPage } from '../helpers/chromium';
import { closeMiniProgramGlobals, installMiniProgramGlobals } from '../helpers/mp-globals';
import type { Rendered } from '../helpers/mp-dist';
import { WeChatHarness } from '../helpers/wechat-harness';
import { WebviewDriver } from '../helpers/webview-driver';
import { tempDirs } from '../helpers/tmp';
import { buildDemo, closeDemoPage, DemoApp, launchDemoApp, openDemoPage, PKG_NAME, pressCallButton, resolveNpmLikeWeChat, saveScreenshot } from './demo-helpers';

jest.setTimeout(30_000);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createRelayServer } = require('../../dist/node/server');

const TOKEN = 'e2e-bridge';
/** The call page as the demo's app.json lists it (and the H5 SDK navigates to by default). */
const RELAY_ROUTE = `miniprogram_npm/${PKG_NAME}/pages/hybrid-call/index`;

const tmp = tempDirs('e2e-bridge');
let devDir: string;
let relay: any;
let origin: string;
let app: DemoApp;
let bridgePage: Rendered;
let harness: WeChatHarness;
let browser: HeadlessBrowser;
let h5: Page;
let h5Log: PageLog;
let driver: WebviewDriver;
let callLog: Array<{ api: string; source: string }>;

const pushTexts = () => h5.$$eval('#push-list li', (nodes) => nodes.map((n) => [n.getAttribute('data-event'), n.textContent]));
const waitForPushes = (count: number) =>
  h5.waitForFunction((n) => document.querySelectorAll('#push-list li').length >= n, count, { timeout: 5000 });

beforeAll(async () => {
  devDir = path.join(tmp.make(), 'miniprogram_dev');
  await buildDemo(devDir);
  relay = createRelayServer({ port: 0, logger: false, resumeWaitMs: 100, demo: true });
  await relay.listen();
  origin = `http://127.0.0.1:${relay.address().port}`;

  installMiniProgramGlobals();
  resolveNpmLikeWeChat(devDir);
  app = launchDemoApp(devDir, (globalData) => {
    globalData.h5Url = origin + '/';
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  callLog = require(path.join(devDir, 'lib/handlers.js')).callLog;
  bridgePage = openDemoPage(devDir, 'pages/bridge/index', { token: TOKEN });
  harness = new WeChatHarness({ openerPage: bridgePage, callPage: { root: devDir, path: RELAY_ROUTE } });

  browser = await launchBrowser();
  h5 = await browser.newPage();
  await h5.setViewportSize({ width: 420, height: 900 });
  h5Log = watchPage(h5);
  driver = new WebviewDriver(harness, h5);
  await driver.start();
});

afterAll(async () => {
  // The browser and the server first: they are what would keep jest alive.
  await browser?.close();
  await relay?.close({ graceMs: 50 });
  harness?.close();
  if (bridgePage) closeDemoPage(bridgePage);
  if (app && app.globalData.offHandlers) app.globalData.offHandlers();
  closeMiniProgramGlobals();
  tmp.cleanup();
});

test('the bridge page loads the H5 demo page with its token, and the page knows it runs in a mini program', async () => {
  // The demo registers the call page the SDK navigates to by default.
  const appJson = JSON.parse(fs.readFileSync(path.join(devDir, 'app.json'), 'utf8'));
  expect(appJson.pages).toContain(RELAY_ROUTE);
  expect(fs.existsSync(path.join(devDir, RELAY_ROUTE + '.js'))).toBe(true);

  const src = new URL(harness.srcHistory[0]);
  expect(src.origin + src.pathname).toBe(origin + '/');
  expect([src.searchParams.get('token'), src.searchParams.get('env'), src.searchParams.get('from')]).toEqual([TOKEN, 'h5', 'webview']);
  expect(src.searchParams.get('_t')).toMatch(/^\d+$/);
  expect(src.hash).toBe('');

  expect(await h5.title()).toBe('hybrid-kit · H5 demo');
  await h5.waitForFunction(() => document.getElementById('where')!.textContent === 'miniprogram');
  expect(await h5.textContent('#token')).toBe(TOKEN);
  expect(await h5.textContent('#env')).toBe('h5');
  // The page's own socket is open, but no mini program is on it: calls take the navigate channel.
  await h5.waitForSelector('#state[data-state="open"]');
  expect(await h5.getAttribute('#peer', 'data-online')).toBe('false');

  // The web-view's load event ran the bridge page's onWebviewLoad: its ready push reached the page.
  await waitForPushes(1);
  expect(await pushTexts()).toEqual([['notice', 'notice: 小程序已就绪']]);
});

test('calls from the H5 page open the call page and are answered by the demo handlers, refusals with their code', async () => {
  const before = callLog.length;
  const relaysBefore = harness.relayCount;
  const pushesBefore = (await pushTexts()).length;

  await h5.fill('#echo-text', 'echo 回声 & ?x=1#y %');
  const echo = await pressCallButton(h5, 'echo');
  expect(echo).toEqual({ status: 'ok', value: { echoed: { text: 'echo 回声 & ?x=1#y %' }, by: 'miniapp', at: expect.any(Number) } });

  const info = await pressCallButton(h5, 'getSystemInfo');
  expect(info.status).toBe('ok');
  expect(Object.keys(info.value).sort()).toEqual(['SDKVersion', 'model', 'platform']);

  await h5.fill('#greet-name', '   ');
  const refused = await pressCallButton(h5, 'greet');
  expect(refused).toEqual({ status: 'error', value: { code: 'BAD_REQUEST', message: 'greet needs { name: string }' } });

  await h5.fill('#greet-name', '小明');
  expect(await pressCallButton(h5, 'greet')).toEqual({ status: 'ok', value: { text: '你好，小明！来自小程序' } });

  // Four calls, each through its own call page (never two at once), all in the demo's handlers.
  expect(callLog.slice(before).map((c) => [c.api, c.source])).toEqual([
    ['echo', 'navigate'],
    ['getSystemInfo', 'navigate'],
    ['greet', 'navigate'],
    ['greet', 'navigate'],
  ]);
  expect(harness.relayCount - relaysBefore).toBe(4);
  expect(harness.stackedRelays).toBe(0);
  expect(harness.refusedUrls).toEqual([]);
  expect(harness.relay).toBeNull();
  // Back on the bridge page after each call, its onShow pushed what it answered meanwhile.
  await waitForPushes(pushesBefore + 4);
  expect((await pushTexts()).slice(pushesBefore)).toEqual(Array(4).fill(['notice', 'notice: 小程序处理了 1 个调用']));
  // Each reply and push was read and removed from the address bar; the part before '#' never changed.
  await driver.settled();
  expect(await h5.evaluate(() => location.hash)).toBe('');
  expect(new Set(harness.srcHistory.map((s) => s.split('#')[0])).size).toBe(1);
  expect(await saveScreenshot(h5, 'e2e-demo-bridge-calls')).toBeGreaterThan(5_000);
});

test('a push from the demo bridge page is shown by the H5 page as text', async () => {
  const before = (await pushTexts()).length;
  const id = (bridgePage.instance as any).push('notice', { text: '来自小程序的推送 <b>#1</b> & ?a=%' });
  expect(typeof id).toBe('string');
  await waitForPushes(before + 1);
  expect((await pushTexts()).slice(before)).toEqual([['notice', 'notice: 来自小程序的推送 <b>#1</b> & ?a=%']]);
  expect(await h5.$$eval('#push-list b', (nodes) => nodes.length)).toBe(0);
  await driver.settled();
  expect(await h5.evaluate(() => location.hash)).toBe('');
  expect((await pushTexts()).length).toBe(before + 1);
  expect(await saveScreenshot(h5, 'e2e-demo-bridge-push')).toBeGreaterThan(5_000);
  expect(h5Log.errors).toEqual([]);
});

test('a push made while the call page covers the bridge page waits, and arrives with the reply after back', async () => {
  const before = (await pushTexts()).length;
  let armed = true;
  let srcAtCover = -1;
  let srcAtBack = -1;
  harness.onRelay((open) => {
    if (open && armed) {
      armed = false;
      (bridgePage.instance as any).push('notice', { text: '盖住时推送' });
      srcAtCover = harness.srcHistory.length;
    } else if (!open && srcAtCover >= 0 && srcAtBack < 0) {
      srcAtBack = harness.srcHistory.length;
    }
  });
  await h5.fill('#echo-text', 'covered');
  expect(await pressCallButton(h5, 'echo')).toMatchObject({ status: 'ok', value: { echoed: { text: 'covered' } } });
  // Nothing was written into the hidden web-view; the push, the reply and the onShow notice all came after back.
  expect(srcAtCover).toBeGreaterThan(0);
  expect(srcAtBack).toBe(srcAtCover);
  await waitForPushes(before + 2);
  expect((await pushTexts()).slice(before)).toEqual([
    ['notice', 'notice: 盖住时推送'],
    ['notice', 'notice: 小程序处理了 1 个调用'],
  ]);
});
