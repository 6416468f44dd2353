/**
 * Runs the demo mini program the way WeChat would, inside a Node test: the project built as a user
 * gets it (tools/demo → miniprogram_npm via packDemo), `require('miniprogram-hybrid-kit/…')`
 * resolved into miniprogram_npm, the demo's App() definition launched, and a demo page (built with
 * Component()) loaded into miniprogram-simulate with its npm components resolved the same way.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { installMiniProgramGlobals, pageStack } from '../helpers/mp-globals';
import { PKG_NAME, render, Rendered } from '../helpers/mp-dist';

export { PKG_NAME };
import { packDemo } from '../../tools/demo-pack';

const NPM_REQUIRE = new RegExp(`require\\('(${PKG_NAME}/[^']+)'\\)`, 'g');

export interface DemoApp {
  globalData: Record<string, any>;
  onLaunch?: () => void;
}

function jsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'miniprogram_npm' ? [] : jsFiles(full);
    return entry.name.endsWith('.js') ? [full] : [];
  });
}

/**
 * Every `require('miniprogram-hybrid-kit/x')` in the demo's own code resolves to
 * `miniprogram_npm/miniprogram-hybrid-kit/x`, as in WeChat. Returns the module names found.
 */
export function resolveNpmLikeWeChat(devDir: string): string[] {
  const names = new Set<string>();
  for (const file of jsFiles(devDir)) {
    for (const match of fs.readFileSync(file, 'utf8').matchAll(NPM_REQUIRE)) names.add(match[1]);
  }
  const npmRoot = path.join(devDir, 'miniprogram_npm');
  for (const name of names) {
    const target = path.join(npmRoot, name);
    if (!fs.existsSync(target + '.js')) throw new Error(`the demo requires ${name}, which 构建npm did not produce (${target}.js)`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    jest.doMock(name, () => require(target), { virtual: true });
  }
  return [...names];
}

/** Builds the demo into `outDir` as `npm run dev` does (tools/demo → miniprogram_npm), without miniprogram-ci's banner. */
export async function buildDemo(outDir: string): Promise<void> {
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    await packDemo({ outDir, quiet: true });
  } finally {
    log.mockRestore();
  }
}

/** Runs the demo's app.js (its App() definition), launches it and makes it what getApp() returns. */
export function launchDemoApp(devDir: string, configure: (globalData: Record<string, any>) => void): DemoApp {
  const g = global as unknown as Record<string, any>;
  let app: DemoApp | undefined;
  g.App = (definition: DemoApp) => {
    app = definition;
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(path.join(devDir, 'app.js'));
  if (!app) throw new Error('app.js did not call App()');
  configure(app.globalData);
  if (app.onLaunch) app.onLaunch();
  g.getApp = () => app;
  return app;
}

/** usingComponents as WeChat resolves them: a package path means miniprogram_npm/<path>. */
function npmUsingComponents(devDir: string, page: string): Record<string, string> {
  const json = JSON.parse(fs.readFileSync(path.join(devDir, page + '.json'), 'utf8'));
  const out: Record<string, string> = {};
  for (const [tag, target] of Object.entries<string>(json.usingComponents || {})) {
    if (target.startsWith(PKG_NAME + '/')) out[tag] = `/miniprogram_npm/${target}`;
  }
  return out;
}

/** Loads and attaches one demo page (e.g. `pages/chat/index`), then calls its onLoad(options). */
export function openDemoPage(devDir: string, page: string, options: Record<string, string> = {}): Rendered {
  const simulate = installMiniProgramGlobals();
  const id = simulate.load(path.join(devDir, page), page.replace(/\W+/g, '-'), { rootPath: devDir, usingComponents: npmUsingComponents(devDir, page) });
  const wrapper = render(id);
  wrapper.attach(document.createElement('parent-wrapper'));
  pageStack().push(wrapper.instance);
  (wrapper.instance as any).onLoad(options);
  return wrapper;
}

/** What WeChat does when the page is closed. */
export function closeDemoPage(wrapper: Rendered): void {
  const page = wrapper.instance as any;
  if (typeof page.onUnload === 'function') page.onUnload();
  const stack = pageStack();
  const i = stack.indexOf(wrapper.instance);
  if (i >= 0) stack.splice(i, 1);
  wrapper.detach();
}

/* ---- the H5 demo page, driven through its own buttons ---- */

export const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts');

/** Presses the H5 demo page's button for `api` and reads the result box it fills. */
export async function pressCallButton(page: Page, api: string): Promise<{ status: string | null; value: any }> {
  await page.evaluate(() => document.getElementById('call-result')!.setAttribute('data-status', 'none'));
  await page.click(`button[data-api="${api}"]`);
  await page.waitForSelector('#call-result[data-status="ok"], #call-result[data-status="error"]', { timeout: 5000 });
  return page.$eval('#call-result', (node) => ({ status: node.getAttribute('data-status'), value: JSON.parse(node.textContent || 'null') }));
}

/** A full-page screenshot in test-artifacts/ (git ignores it); returns its size in bytes. */
export async function saveScreenshot(page: Page, name: string): Promise<number> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return fs.statSync(file).size;
}
