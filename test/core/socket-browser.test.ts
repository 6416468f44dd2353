/**
 * The platform-free client in headless Chromium with the browser WebSocket (what the H5 SDK uses),
 * talking through our relay (the built src/server, behind a TCP proxy that cuts every connection)
 * on 127.0.0.1 to a Node client on the ws-backed wx.connectSocket.
 */
import * as path from 'path';
import * as esbuild from 'esbuild';
import type { Page } from 'playwright-core';
import { HeadlessBrowser, launchBrowser } from '../helpers/chromium';
import { ProxiedRelayRig, startProxiedRelayRig, waitFor, waitState } from './socket-fixture';

let browser: HeadlessBrowser;
let page: Page;
let rig: ProxiedRelayRig;

// Launching Chromium on a loaded machine (parallel suites, 2 cores) takes longer than jest's default 5 s.
jest.setTimeout(30_000);

beforeAll(async () => {
  const bundle = await esbuild.build({
    stdin: { contents: "export * from './src/core/socket/index';", resolveDir: path.resolve(__dirname, '../..'), loader: 'ts' },
    bundle: true, format: 'iife', globalName: 'HK', target: 'es2017', platform: 'browser', write: false,
  });
  browser = await launchBrowser();
  page = await browser.newPage();
  await page.setContent('<!doctype html><title>socket</title>');
  await page.addScriptTag({ content: bundle.outputFiles[0].text });
  rig = await startProxiedRelayRig();
}, 30000);

afterAll(async () => {
  if (page) await page.evaluate(() => (window as any).client && (window as any).client.destroy());
  if (browser) await browser.close();
  if (rig) await rig.teardown();
});

test('browser client ⇄ relay ⇄ mini program client: requests both ways, reliable messages, reconnect', async () => {
  const mp = rig.client({ env: 'miniapp' });
  const fromBrowser: unknown[] = [];
  mp.subscribe('hello-from-h5', (d) => fromBrowser.push(d));
  mp.onRequest((api, params) => ({ api, doubled: (params as number) * 2 }));
  mp.connect();
  await waitState(mp, 'open');

  await page.evaluate((url) => {
    const w = window as any;
    w.received = [];
    w.client = new w.HK.SocketClient({
      transport: w.HK.webSocketTransport(WebSocket), target: url,
      backoff: { base: 10, cap: 40 }, heartbeatInterval: 100, pongTimeout: 1000, ackTimeout: 200,
    });
    w.client.subscribe('hello-from-mp', (d: unknown) => w.received.push(d));
    w.client.onRequest((api: string, params: unknown) => ({ servedIn: 'browser', api, params }));
    w.client.connect();
  }, rig.url('t1', 'h5'));
  await page.waitForFunction(() => (window as any).client.state === 'open');

  // Browser → mini program: a request served by the Node client, and reliable messages.
  const answer = await page.evaluate(() => (window as any).client.request('double', 21, { to: 'miniapp' }));
  expect(answer).toEqual({ api: 'double', doubled: 42 });
  await page.evaluate(() => {
    for (let i = 0; i < 50; i++) (window as any).client.emit('hello-from-h5', i, { reliable: true, to: 'miniapp' });
  });
  // Mini program → browser.
  await expect(mp.request('whoami', 'x', { to: 'h5' })).resolves.toEqual({ servedIn: 'browser', api: 'whoami', params: 'x' });
  for (let i = 0; i < 50; i++) mp.emit('hello-from-mp', i, { reliable: true, to: 'h5' });

  // Cut every connection while messages may still be in flight: both sides reconnect, nothing is lost or doubled.
  expect(rig.cut()).toBe(2);
  await waitFor(() => fromBrowser.length === 50, 10000, 'browser messages');
  await page.waitForFunction(() => (window as any).received.length === 50 && (window as any).client.state === 'open');
  const received = await page.evaluate(() => (window as any).received);
  const all = Array.from({ length: 50 }, (_, i) => i);
  expect((received as number[]).slice().sort((a, b) => a - b)).toEqual(all);
  expect((fromBrowser as number[]).slice().sort((a, b) => a - b)).toEqual(all);
  const stats = await page.evaluate(() => (window as any).client.stats());
  expect(stats).toMatchObject({ state: 'open', unacked: 0, dropped: 0 });
  expect(stats.attempts).toBeGreaterThanOrEqual(2);
}, 30000);
