/** The Chromium helper works: a page served from 127.0.0.1 runs its JavaScript in headless Chromium. */
import * as fs from 'fs';
import { HeadlessBrowser, launchBrowser, serveFiles, StaticServer, waitUntil, watchPage } from '../helpers/chromium';

let browser: HeadlessBrowser;
let server: StaticServer;

// Launching Chromium on a loaded machine (parallel suites, 2 cores) takes longer than jest's default 5 s.
jest.setTimeout(30_000);

beforeAll(async () => {
  server = await serveFiles({
    '/index.html': '<!doctype html><meta charset="utf-8"><title>smoke</title><p id="out">static</p><script src="/app.js"></script>',
    '/app.js': `
      const out = document.getElementById('out');
      out.textContent = ['ran', location.hostname, JSON.stringify({ text: '你好 🙂' }).length].join(':');
      window.sum = (a, b) => a + b;`,
    '/broken.html': '<!doctype html><script>console.log("before"); console.error("bad thing"); undefinedFunction();</script>',
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  if (browser) await browser.close();
  if (server) await server.close();
});

test('the served page ran its script in headless Chromium', async () => {
  const page = await browser.newPage();
  await page.goto(`${server.origin}/index.html`);
  await page.waitForFunction(() => document.getElementById('out')!.textContent !== 'static');
  // JSON.stringify({ text: '你好 🙂' }) has 16 UTF-16 units: the text went through UTF-8 intact.
  expect(await page.textContent('#out')).toBe('ran:127.0.0.1:16');
  expect(await page.evaluate(() => (window as unknown as { sum(a: number, b: number): number }).sum(2, 3))).toBe(5);
  expect(await page.evaluate(() => navigator.userAgent)).toMatch(/HeadlessChrome|Chrome/);
  expect(server.requests.slice(0, 2)).toEqual(['/index.html', '/app.js']);
  await page.close();
});

test('an unknown path is a 404, and the browser profile lives in a fresh temp dir', async () => {
  const page = await browser.newPage();
  const response = await page.goto(`${server.origin}/missing.js`);
  expect(response!.status()).toBe(404);
  expect(fs.existsSync(browser.userDataDir)).toBe(true);
  expect(browser.userDataDir).toMatch(/hk-chromium-/);
  await page.close();
});

test('close() removes the user-data dir; each launch gets its own', async () => {
  const second = await launchBrowser();
  expect(second.userDataDir).not.toBe(browser.userDataDir);
  await second.close();
  expect(fs.existsSync(second.userDataDir)).toBe(false);
});

test('watchPage collects console lines and uncaught errors', async () => {
  const page = await browser.newPage();
  const log = watchPage(page);
  await page.goto(`${server.origin}/broken.html`);
  await page.waitForFunction(() => document.readyState === 'complete');
  await waitUntil(() => log.errors.length >= 2);
  expect(log.errors).toHaveLength(2);
  expect(log.errors[0]).toBe('bad thing');
  expect(log.errors[1]).toMatch(/undefinedFunction is not defined/);
  expect(log.console.slice(0, 2)).toEqual(['log: before', 'error: bad thing']);
  await page.close();
});
