/**
 * The demo end to end, every part real:
 *  - the relay server (dist/node/server, 127.0.0.1:0) serving the H5 demo page (tools/demo-h5) at `/`
 *    and the SDK's single-file build at `/hybrid-kit.js`, with its default paths (what `npm start` serves);
 *  - the demo mini program built as a user gets it (tools/demo → miniprogram_npm through 构建npm),
 *    its chat page under miniprogram-simulate, wx.connectSocket backed by the `ws` package;
 *  - the H5 demo page in headless Chromium, driven through its own form and buttons.
 * Checks chat both ways, a call from H5 answered by the mini program's handler over the socket, and
 * recovery after the server restarts mid-conversation. Screenshots go to test-artifacts/.
 */
import * as path from 'path';
import type { Page } from 'playwright-core';
import { launchBrowser, HeadlessBrowser } from '../helpers/chromium';
import { closeMiniProgramGlobals, installMiniProgramGlobals } from '../helpers/mp-globals';
import type { Rendered } from '../helpers/mp-dist';
import { waitFor } from '../helpers/wait';
import { createWsWx, WsWx } from '../helpers/ws-wx';
import { tempDirs } from '../helpers/tmp';
import { buildDemo, closeDemoPage, DemoApp, launchDemoApp, openDemoPage, pressCallButton, resolveNpmLikeWeChat, saveScreenshot } from './demo-helpers';

jest.setTimeout(45_000);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createRelayServer } = require('../../dist/node/server');

const TOKEN = 'e2e-demo';
/** Short reconnect delays on both sides, so the restart is recovered from in well under a second. */
const RETRY_CAP_MS = 300;

const tmp = tempDirs('e2e-demo');
const g = global as unknown as Record<string, any>;
let devDir: string;
let relay: any;
let port: number;
let browser: HeadlessBrowser;
let h5: Page;
let app: DemoApp;
let chatPage: Rendered;
let wsWx: WsWx;
let originalConnectSocket: unknown;

function startRelay(atPort: number): Promise<any> {
  const server = createRelayServer({ port: atPort, logger: false, resumeWaitMs: 100, pingIntervalMs: 1000, demo: true });
  return server.listen().then(() => server);
}

/** The port of the closed relay may take a moment to be free again. */
async function restartRelay(): Promise<any> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await startRelay(port);
    } catch (err) {
      if ((err as { code?: string }).code !== 'EADDRINUSE' || attempt >= 20) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

// ---- the two sides, seen through their UIs ----

const panel = () => chatPage.instance.selectComponent('#chat') as any;
const panelTexts = (role: string) => panel().getMessages().filter((m: any) => m.role === role).map((m: any) => m.content);
const mpData = () => chatPage.instance.data as Record<string, any>;
/** socket-manager's pool, from the same built module the demo page uses. */
const poolStats = () => require(path.join(devDir, 'miniprogram_npm/miniprogram-hybrid-kit/behaviors/socket-manager')).socketPoolStats();

function sendFromMiniProgram(text: string): void {
  const chat = chatPage.querySelector('#chat')!;
  chat.querySelector('.hk-chat__input')!.dispatchEvent('input', { detail: { value: text } });
  chat.querySelector('.hk-chat__send')!.dispatchEvent('tap');
}

async function sendFromH5(text: string): Promise<void> {
  await h5.fill('#chat-input', text);
  await h5.click('#chat-form button[type=submit]');
}

const h5Texts = (from: string) => h5.$$eval(`#chat-list li[data-from="${from}"] .text`, (nodes) => nodes.map((n) => n.textContent));
const h5Statuses = () => h5.$$eval('#chat-list li[data-self="true"]', (nodes) => nodes.map((n) => n.getAttribute('data-status')));

const callFromH5 = (api: string) => pressCallButton(h5, api);
const screenshot = (name: string) => saveScreenshot(h5, `e2e-demo-${name}`);

beforeAll(async () => {
  devDir = path.join(tmp.make(), 'miniprogram_dev');
  await buildDemo(devDir);
  relay = await startRelay(0);
  port = relay.address().port;

  installMiniProgramGlobals();
  wsWx = createWsWx();
  originalConnectSocket = g.wx.connectSocket;
  g.wx.connectSocket = wsWx.connectSocket;
  resolveNpmLikeWeChat(devDir);
  app = launchDemoApp(devDir, (globalData) => {
    globalData.relayUrl = relay.url();
    globalData.socket = { backoff: { base: 50, cap: RETRY_CAP_MS }, heartbeatInterval: 0 };
  });
  chatPage = openDemoPage(devDir, 'pages/chat/index', { token: TOKEN });

  browser = await launchBrowser();
  h5 = await browser.newPage();
  await h5.setViewportSize({ width: 420, height: 900 });
  await h5.goto(`http://127.0.0.1:${port}/?token=${TOKEN}&env=h5&retry=${RETRY_CAP_MS}`);
});

afterAll(async () => {
  if (chatPage && poolStats().length) closeDemoPage(chatPage);
  if (app && app.globalData.offHandlers) app.globalData.offHandlers();
  if (wsWx) await wsWx.settled();
  if (g.wx && originalConnectSocket) g.wx.connectSocket = originalConnectSocket;
  await browser?.close();
  await relay?.close({ graceMs: 50 });
  closeMiniProgramGlobals();
  tmp.cleanup();
});

test('the relay serves the demo page and the SDK by default, and both sides pair on one token', async () => {
  expect(await h5.title()).toBe('hybrid-kit · H5 demo');
  expect(await h5.evaluate(() => typeof (window as any).HybridKit.createBridge)).toBe('function');
  await h5.waitForSelector('#peer[data-online="true"]', { timeout: 5000 });
  expect(await h5.textContent('#state')).toBe('open');
  expect(await h5.textContent('#env')).toBe('h5');
  await waitFor(() => mpData().socketState === 'open' && mpData().peerOnline, 5000, 'the mini program chat page to be open with the H5 page online');
  expect(mpData().token).toBe(TOKEN);
  // One socket per side: the mini program made exactly one task, to its relay URL with token and env.
  expect(wsWx.created).toBe(1);
  expect(wsWx.urls[0]).toBe(`${relay.url()}?token=${TOKEN}&env=miniapp&v=1`);
  expect(await h5.textContent('#where')).toBe('browser');
  // The page joined socket-manager's shared pool: one connection, one user.
  expect(poolStats()).toEqual([{ key: expect.any(String), users: 1, state: 'open' }]);
});

test('chat messages go both ways, each shown once and marked sent', async () => {
  await sendFromH5('你好，小程序 👋 <b>not bold</b>');
  await waitFor(() => panelTexts('h5').length === 1, 5000, 'the H5 message in the chat panel');
  expect(panelTexts('h5')).toEqual(['你好，小程序 👋 <b>not bold</b>']);

  sendFromMiniProgram('你好，H5 ✓ & #hash ?q=1');
  await h5.waitForSelector('#chat-list li[data-from="miniapp"]', { timeout: 5000 });
  expect(await h5Texts('miniapp')).toEqual(['你好，H5 ✓ & #hash ?q=1']);
  // The panel drew the mini program's own message on the right and marked it sent.
  const own = panel().getMessages().filter((m: any) => m.role === 'miniapp');
  expect(own.map((m: any) => [m.content, m.status])).toEqual([['你好，H5 ✓ & #hash ?q=1', 'sent']]);
  expect(await h5Statuses()).toEqual(['sent']);
  // The H5 page wrote the text as text (no element injected).
  expect(await h5.$$eval('#chat-list b', (nodes) => nodes.length)).toBe(0);
  // A blank message is refused on the H5 side and nothing is sent.
  await sendFromH5('   ');
  expect(await h5.textContent('#chat-hint')).toBe('不能发送空白消息');
  expect(panelTexts('h5')).toHaveLength(1);
  expect(await screenshot('chat')).toBeGreaterThan(5_000);
});

test('a call from H5 is answered by the mini program handler over the socket', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { callLog } = require(path.join(devDir, 'lib/handlers.js'));
  const before = callLog.length;
  await h5.fill('#echo-text', 'echo 回声 & ?x=1#y');
  const echo = await callFromH5('echo');
  expect(echo.status).toBe('ok');
  expect(echo.value).toEqual({ echoed: { text: 'echo 回声 & ?x=1#y' }, by: 'miniapp', at: expect.any(Number) });

  const info = await callFromH5('getSystemInfo');
  expect(info.status).toBe('ok');
  expect(Object.keys(info.value).sort()).toEqual(['SDKVersion', 'model', 'platform']);

  await h5.fill('#greet-name', '');
  const refused = await callFromH5('greet');
  expect(refused).toEqual({ status: 'error', value: { code: 'BAD_REQUEST', message: 'greet needs { name: string }' } });

  // Three calls ran in the demo's handlers, all through the socket (no call page in a browser).
  expect(callLog.slice(before).map((c: any) => [c.api, c.source])).toEqual([
    ['echo', 'socket'],
    ['getSystemInfo', 'socket'],
    ['greet', 'socket'],
  ]);
  expect(await screenshot('calls')).toBeGreaterThan(5_000);
});

test('the server restarts mid-conversation: both sides reconnect and nothing sent meanwhile is lost or doubled', async () => {
  await relay.close({ graceMs: 50 });
  await h5.waitForSelector('#state:not([data-state="open"])', { timeout: 5000 });
  await waitFor(() => mpData().socketState !== 'open', 5000, 'the mini program to notice the restart');
  expect(await h5.getAttribute('#peer', 'data-online')).toBe('false');

  // Written while the relay is down: both wait in their senders' queues.
  await sendFromH5('H5 写于重启期间');
  sendFromMiniProgram('小程序写于重启期间');
  await sendFromH5('H5 第二条');
  expect(await h5Statuses()).toEqual(['sent', 'sending', 'sending']);

  relay = await restartRelay();
  await h5.waitForSelector('#peer[data-online="true"]', { timeout: 10_000 });
  await waitFor(() => panelTexts('h5').length === 3, 10_000, 'the queued H5 messages in the panel');
  await h5.waitForFunction(() => document.querySelectorAll('#chat-list li[data-from="miniapp"]').length === 2, undefined, { timeout: 10_000 });

  expect(panelTexts('h5')).toEqual(['你好，小程序 👋 <b>not bold</b>', 'H5 写于重启期间', 'H5 第二条']);
  expect(await h5Texts('miniapp')).toEqual(['你好，H5 ✓ & #hash ?q=1', '小程序写于重启期间']);
  expect(await h5Statuses()).toEqual(['sent', 'sent', 'sent']);
  expect(panel().getMessages().map((m: any) => m.status || 'sent')).toEqual(['sent', 'sent', 'sent', 'sent', 'sent']);
  // Still one socket per side at a time: the old task was closed before the new one.
  expect(wsWx.live()).toBe(1);
  expect(mpData().socketState).toBe('open');

  // Calls work again after the restart.
  await h5.fill('#echo-text', 'after restart');
  expect(await callFromH5('echo')).toMatchObject({ status: 'ok', value: { echoed: { text: 'after restart' }, by: 'miniapp' } });
  expect(await screenshot('after-restart')).toBeGreaterThan(5_000);
});

test('"/ask" gets a streamed Markdown reply from the H5 page: one growing message, rendered as Markdown, ends sent', async () => {
  sendFromMiniProgram('/ask 流式回复');
  await waitFor(() => panel().getMessages().some((m: any) => m.role === 'assistant'), 5000, 'the streaming reply to start');
  const reply = () => panel().getMessages().find((m: any) => m.role === 'assistant');
  expect(reply().type).toBe('markdown');
  await waitFor(() => reply().status === 'sent', 15000, 'the streamed reply to end');
  expect(reply().content).toMatch(/^## 回答：流式回复\n\n这是一条\*\*流式\*\* Markdown 回复/);
  expect(reply().content).toContain('> 完。');
  panel().flush();
  const chat = chatPage.querySelector('#chat')!;
  expect(chat.querySelector('.hk-md__h2')!.dom!.textContent).toBe('回答：流式回复');
  expect(chat.querySelector('.hk-md--b')!.dom!.textContent).toBe('流式');
  expect(chat.querySelector('.hk-md__pre')!.dom!.textContent).toBe('console.log("streamed");');
  expect(chat.querySelectorAll('.hk-md__td').map((n: any) => n.dom.textContent)).toEqual(['项', '值', 'chunk', '有序']);
  expect(chat.querySelector('.hk-chat__stop')).toBeFalsy();
});

test('leaving the chat page releases the shared connection and the H5 page sees the mini program go', async () => {
  closeDemoPage(chatPage);
  expect(poolStats()).toEqual([]);
  await wsWx.settled();
  expect(wsWx.live()).toBe(0);
  await h5.waitForSelector('#peer[data-online="false"]', { timeout: 5000 });
  expect(await h5.textContent('#state')).toBe('open'); // the H5 page itself stays connected
});
