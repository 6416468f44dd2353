/**
 * The H5 demo page without WeChat: two tabs of headless Chromium on the real relay server, same
 * token, one of them playing the mini program (`?env=miniapp`). What someone without DevTools sees.
 */
import type { Page } from 'playwright-core';
import { launchBrowser, HeadlessBrowser } from '../helpers/chromium';
import { pressCallButton, saveScreenshot } from './demo-helpers';

jest.setTimeout(30_000);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createRelayServer } = require('../../dist/node/server');

const TOKEN = 'two-tabs';

let relay: any;
let browser: HeadlessBrowser;
let h5: Page;
let mini: Page;
let origin: string;

const texts = (page: Page, selector: string) => page.$$eval(selector, (nodes) => nodes.map((n) => n.textContent));

const call = (api: string) => pressCallButton(h5, api);

beforeAll(async () => {
  relay = createRelayServer({ port: 0, logger: false, resumeWaitMs: 100, demo: true });
  await relay.listen();
  origin = `http://127.0.0.1:${relay.address().port}`;
  browser = await launchBrowser();
  h5 = await browser.newPage();
  await h5.goto(`${origin}/?token=${TOKEN}&retry=300`);
});

afterAll(async () => {
  await browser?.close();
  await relay?.close({ graceMs: 50 });
});

test('alone, the H5 tab says where it runs and a call fails with NOT_IN_MINIPROGRAM', async () => {
  await h5.waitForSelector('#state[data-state="open"]');
  await h5.waitForFunction(() => document.getElementById('where')!.textContent === 'browser');
  expect(await h5.getAttribute('#peer', 'data-online')).toBe('false');
  expect(await call('echo')).toMatchObject({ status: 'error', value: { code: 'NOT_IN_MINIPROGRAM' } });
  // Only the posing tab shows the push controls.
  expect(await h5.isVisible('#push-controls')).toBe(false);
});

test('the link opens a second tab of the same token that plays the mini program', async () => {
  const href = await h5.getAttribute('#twin-link', 'href');
  const twin = new URL(href!);
  expect([twin.origin, twin.searchParams.get('token'), twin.searchParams.get('env')]).toEqual([origin, TOKEN, 'miniapp']);
  mini = await browser.newPage();
  await mini.goto(href!);
  await mini.waitForSelector('#peer[data-online="true"]');
  await h5.waitForSelector('#peer[data-online="true"]');
  expect(await mini.textContent('#env')).toBe('miniapp');
  expect(await mini.isVisible('#push-controls')).toBe(true);
});

test('the two tabs chat, call and push through the relay', async () => {
  await h5.fill('#chat-input', 'from the H5 tab');
  await h5.click('#chat-form button[type=submit]');
  await mini.fill('#chat-input', 'from the mini program tab');
  await mini.click('#chat-form button[type=submit]');
  await mini.waitForSelector('#chat-list li[data-from="h5"]');
  await h5.waitForSelector('#chat-list li[data-from="miniapp"]');
  expect(await texts(mini, '#chat-list .text')).toEqual(['from the H5 tab', 'from the mini program tab']);
  expect(await texts(h5, '#chat-list .text')).toEqual(['from the H5 tab', 'from the mini program tab']);

  await h5.fill('#greet-name', '桌面');
  expect(await call('greet')).toEqual({ status: 'ok', value: { text: '你好，桌面！来自扮演小程序的标签页' } });
  expect(await call('echo')).toMatchObject({ status: 'ok', value: { by: 'miniapp' } });
  // The posing tab listed each request it answered.
  expect(await texts(mini, '#push-list li[data-event="request"]')).toEqual(['request: greet ← h5', 'request: echo ← h5']);

  await mini.fill('#push-text', '一条推送');
  await mini.click('#push-send');
  await h5.waitForSelector('#push-list li[data-event="notice"]');
  expect(await texts(h5, '#push-list li')).toEqual(['notice: 一条推送']);

  expect(await saveScreenshot(h5, 'two-tabs-h5')).toBeGreaterThan(5_000);
  expect(await saveScreenshot(mini, 'two-tabs-miniapp')).toBeGreaterThan(5_000);
});

test('closing the mini program tab shows the peer offline on the H5 tab', async () => {
  await mini.close();
  await h5.waitForSelector('#peer[data-online="false"]');
  expect(await h5.textContent('#peer')).toBe('离线：miniapp');
});
