/**
 * Headless Chromium for H5 tests: Debian's /usr/bin/chromium driven by playwright-core (no
 * browser download), with a fresh user-data dir per launch, plus a tiny static HTTP server
 * bound to 127.0.0.1 on port 0 (`serveH5` adds the built SDK at /hybrid-kit.js). The one
 * launcher and file server of the test suite: use these rather than `chromium.launch`.
 *
 *   const browser = await launchBrowser();
 *   const page = await browser.newPage();
 *   ...
 *   await browser.close(); // also removes the user-data dir
 */
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import type { AddressInfo } from 'net';
import { chromium, BrowserContext, Page } from 'playwright-core';
import { waitFor } from './wait';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Quiet and fast in a closed network: no background networking, updates or sync. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface HeadlessBrowser {
  context: BrowserContext;
  userDataDir: string;
  newPage(): Promise<Page>;
  /** Closes every page and the browser, then removes the user-data dir. */
  close(): Promise<void>;
}

export async function launchBrowser(options: { timeout?: number } = {}): Promise<HeadlessBrowser> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_FLAGS,
      timeout: options.timeout ?? 20_000,
    });
  } catch (err) {
    fs.rmSync(userDataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    context,
    userDataDir,
    newPage: () => context.newPage(),
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export interface PageLog {
  /** Uncaught exceptions and console.error lines of the page, in order. */
  errors: string[];
  /** Every console line as `<type>: <text>`. */
  console: string[];
}

/** Collects what a page prints and throws, so a test can assert the page ran cleanly. */
export function watchPage(page: Page): PageLog {
  const log: PageLog = { errors: [], console: [] };
  page.on('pageerror', (err) => log.errors.push(err.message));
  page.on('console', (msg) => {
    log.console.push(`${msg.type()}: ${msg.text()}`);
    // The browser's own favicon request is not the page's doing.
    if (msg.type() === 'error' && !/\/favicon\.ico$/.test(msg.location().url)) log.errors.push(msg.text());
  });
  return log;
}

/** Resolves once `condition()` is true; rejects after `timeout` ms (test/helpers/wait.ts `waitFor`). */
export async function waitUntil(condition: () => boolean, timeout = 5000, interval = 10): Promise<void> {
  await waitFor(condition, timeout, 'condition', interval);
}

export interface StaticServer {
  /** `http://127.0.0.1:<port>` without a trailing slash. */
  origin: string;
  /** Paths requested so far, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** The single-file `<script>` build of the H5 SDK (global `HybridKit`), made by `npx gulp build`. */
export const H5_SDK_FILE = path.resolve(__dirname, '../../dist/h5/hybrid-kit.js');

/** Serves `pages` (URL path → HTML) and the built H5 SDK at `/hybrid-kit.js`. */
export function serveH5(pages: Record<string, string>): Promise<StaticServer> {
  return serveFiles({ ...pages, '/hybrid-kit.js': fs.readFileSync(H5_SDK_FILE) });
}

/** Serves `files` (URL path → body; content type from the extension) on 127.0.0.1, port 0. */
export async function serveFiles(files: Record<string, string | Buffer>): Promise<StaticServer> {
  const types: Record<string, string> = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.mjs': 'text/javascript; charset=utf-8',
    '.json': 'application/json; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
  };
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const urlPath = new URL(req.url || '/', 'http://127.0.0.1').pathname;
    requests.push(urlPath);
    const body = files[urlPath];
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(urlPath)] || 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
