/**
 * @jest-environment-options {"customExportConditions": ["node", "require", "default"]}
 *
 * socket-manager in plain mode + chat-panel against the chat server of the old wx.connectSocket chat
 * page, unchanged (test/fixtures/legacy/chat-echo-server.js, a child process so it can be SIGKILLed):
 * the BUILT behavior, panel and socket-link; wx.connectSocket backed by the real `ws` client.
 */
import * as path from 'path';
import { MP_ROOT, Rendered } from '../helpers/mp-dist';
import { createWsWx, waitFor, WsWx } from '../helpers/ws-wx';
import { ChatEchoProcess } from '../fixtures/legacy/chat-echo-process';
import { ChatLink, linkChatPanel, managerSocket } from '../../miniprogram_dist/components/chat-panel/socket-link';
import { loadManagerPage, manager } from './manager-page';
import type * as WxSocketModule from '../../src/adapters/wx-socket';
import type { RawFrame } from '../../src/core/socket/plain';
import { fire, mount, rows } from './chat-harness';

jest.setTimeout(20_000);

const { wxSocketTransport } = require(path.join(MP_ROOT, 'adapters/wx-socket')) as typeof WxSocketModule;

const TIMINGS = { backoff: { base: 10, cap: 50 }, connectTimeout: 1000, closeTimeout: 100, minUptime: 100 };

let pageConfig: Record<string, unknown> = {};
const renderPage = loadManagerPage(() => pageConfig);

let echo: ChatEchoProcess;
let wsWx: WsWx;
let page: Rendered;
let raws: RawFrame[];
let chatLink: ChatLink | undefined;

async function openPage(extra: Record<string, unknown> = {}): Promise<void> {
  pageConfig = { url: echo.url, protocol: 'plain', transport: wxSocketTransport({}, wsWx), ...TIMINGS, ...extra };
  page = renderPage();
  page.attach(document.createElement('parent-wrapper'));
  raws = [];
  page.instance.socketOnRaw((raw: RawFrame) => raws.push(raw));
  await waitFor(() => page.instance.data.socketState === 'open', 5000, 'the socket to open');
}

beforeEach(async () => {
  echo = await ChatEchoProcess.start();
  wsWx = createWsWx();
});

afterEach(async () => {
  if (chatLink) chatLink.dispose();
  chatLink = undefined;
  page?.detach();
  manager.closeAllSockets();
  await echo.kill();
  await wsWx.settled();
  expect(wsWx.invalidCloses).toBe(0);
});

async function typeAndSend(mounted: ReturnType<typeof mount>, text: string) {
  await fire(mounted.comp, '.hk-chat__input', 'input', { value: text });
  await fire(mounted.comp, '.hk-chat__send', 'tap');
  const sent = mounted.events.filter((e) => e.name === 'send').pop()!.detail.message;
  chatLink!.send(sent);
  return sent;
}

test('typed text reaches the old server as it is; its echo is shown on the left once; the reply marks ours sent; nothing else is sent', async () => {
  await openPage();
  const mounted = mount({ self: 'me' });
  chatLink = linkChatPanel(mounted.panel as never, managerSocket(page.instance as never), { plain: true });
  const text = '你好 & = % # + 😀';
  const sent = await typeAndSend(mounted, ` ${text} `);
  expect(mounted.panel.getMessage(sent.id)!.status).toBe('sending');
  await waitFor(() => mounted.panel.getMessage(sent.id)!.status === 'sent', 5000, 'the reply');
  mounted.panel.flush();
  expect(rows(mounted.comp).map((r) => [r.side, r.text])).toEqual([
    ['self', text],
    ['other', `服务器回复:${text}`],
  ]);
  // The server saw exactly the message: no resume, ping or ack of ours, no query added to its URL.
  expect(echo.received).toEqual([text]);
  expect(wsWx.urls).toEqual([echo.url]);
  expect(raws).toHaveLength(1);
  expect(raws[0].isJson).toBe(true);
  expect(raws[0].json).toEqual({ content: `服务器回复:${text}`, timestamp: expect.any(String) });
});

test('the server is SIGKILLed and restarted: a message typed while it was down is delivered after, its echo shown once', async () => {
  await openPage();
  const mounted = mount({ self: 'me' });
  chatLink = linkChatPanel(mounted.panel as never, managerSocket(page.instance as never), { plain: true });
  await typeAndSend(mounted, 'before');
  await waitFor(() => mounted.panel.getMessages().length === 2, 5000, 'the first echo');

  await echo.kill();
  await waitFor(() => page.instance.data.socketState !== 'open', 5000, 'the client to notice');
  const late = await typeAndSend(mounted, 'typed while down');
  expect(mounted.panel.getMessage(late.id)!.status).toBe('sending');
  expect(echo.received).toEqual(['before']);

  await echo.run(); // same port
  await waitFor(() => mounted.panel.getMessage(late.id)!.status === 'sent', 8000, 'delivery after the restart');
  expect(echo.received).toEqual(['before', 'typed while down']);
  await waitFor(() => mounted.panel.getMessages().length === 4, 3000, 'the second echo');
  mounted.panel.flush();
  expect(rows(mounted.comp).map((r) => [r.side, r.text])).toEqual([
    ['self', 'before'],
    ['other', '服务器回复:before'],
    ['self', 'typed while down'],
    ['other', '服务器回复:typed while down'],
  ]);
  expect(wsWx.created).toBeGreaterThanOrEqual(2);
  expect(wsWx.live()).toBe(1);
});

test('socketSend takes text or an object (JSON); socketOnRaw sees every frame; emit is refused in plain mode', async () => {
  await openPage();
  expect(page.instance.socketSend('plain text').status).toBe('sent');
  expect(page.instance.socketSend({ a: 1, zh: '中' }).status).toBe('sent');
  await waitFor(() => raws.length === 2, 5000, 'two replies');
  expect(echo.received).toEqual(['plain text', '{"a":1,"zh":"中"}']);
  expect(raws.map((r) => (r.json as { content: string }).content)).toEqual(['服务器回复:plain text', '服务器回复:{"a":1,"zh":"中"}']);
  expect(() => page.instance.socketEmit('chat', { text: 'x' })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  await expect(page.instance.socketRequest('api')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  expect(echo.received).toHaveLength(2);
});

test('a configured heartbeat text is sent on its interval (and, this server answering it, reaches the raw hook)', async () => {
  await openPage({ plainHeartbeat: { text: 'ping', interval: 40 } });
  await waitFor(() => echo.received.length >= 2, 5000, 'two heartbeats');
  expect(new Set(echo.received)).toEqual(new Set(['ping']));
  await waitFor(() => raws.length >= 2, 5000, 'their echoes');
  expect((raws[0].json as { content: string }).content).toBe('服务器回复:ping');
});

test('a message with no reply within the ttl turns failed; a retry that is answered turns sent', async () => {
  await openPage();
  const mounted = mount({ self: 'me' });
  chatLink = linkChatPanel(mounted.panel as never, managerSocket(page.instance as never), { plain: true, ttl: 300 });
  await echo.kill();
  await waitFor(() => page.instance.data.socketState !== 'open', 5000, 'the client to notice');
  const sent = await typeAndSend(mounted, 'lost');
  await waitFor(() => mounted.panel.getMessage(sent.id)!.status === 'failed', 3000, 'the failure');
  await echo.run();
  await waitFor(() => page.instance.data.socketState === 'open', 5000, 'the reconnect');
  // The copy queued while down expired with the ttl: only the retry reaches the server.
  mounted.panel.updateMessage(sent.id, { status: 'sending' });
  chatLink.send(mounted.panel.getMessage(sent.id)!);
  await waitFor(() => mounted.panel.getMessage(sent.id)!.status === 'sent', 5000, 'the retry');
  expect(echo.received).toEqual(['lost']);
  expect(page.instance.socketClient().stats().dropped).toBe(1);
});

test('two pages share one plain connection; app hide pauses it, show reconnects and sends what was typed meanwhile', async () => {
  const app: Record<'show' | 'hide' | 'network', Array<(res?: any) => void>> = { show: [], hide: [], network: [] };
  manager.setAppEventsApi({
    onAppShow: (fn) => app.show.push(fn),
    onAppHide: (fn) => app.hide.push(fn),
    onNetworkStatusChange: (fn) => app.network.push(fn),
  });
  try {
    await openPage();
    const second = renderPage();
    second.attach(document.createElement('parent-wrapper'));
    await waitFor(() => second.instance.data.socketState === 'open', 3000, 'the second page on the shared connection');
    expect(wsWx.created).toBe(1);
    expect(second.instance.socketClient()).toBe(page.instance.socketClient());

    app.hide.forEach((fn) => fn());
    await waitFor(() => page.instance.data.socketState === 'paused' && wsWx.live() === 0, 3000, 'paused in the background');
    expect(second.instance.socketSend('typed in the background').status).toBe('queued');
    app.show.forEach((fn) => fn());
    await waitFor(() => echo.received.length === 1 && raws.length === 1, 5000, 'sent after show');
    expect(echo.received).toEqual(['typed in the background']);
    expect(wsWx.created).toBe(2);
    second.detach();
    expect(page.instance.data.socketState).toBe('open'); // the first page still holds it
  } finally {
    manager.setAppEventsApi(undefined);
  }
});
