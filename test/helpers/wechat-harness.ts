/**
 * Plays WeChat for the bridge tests: a page with the BUILT bridge-webview on it (miniprogram-simulate;
 * a bare page of the harness's own, or a page the test opened, e.g. the demo's bridge page with
 * `openerPage` and `relayPage` pointing into its miniprogram_npm), and the relay round trip:
 * `openRelay(url)` does what `wx.miniProgram.navigateTo` does (hide the web-view page, push and
 * load the relay page with the query as options), `wx.navigateBack` pops it and shows the
 * web-view page again. Every change of the bridge's web-view `src` is reported
 * through `onSrcChange`; `WebviewDriver` turns each into a real navigation of a Chromium page
 * (test/helpers/chromium.ts) whose `wx.miniProgram` is backed by the harness.
 *
 * Works in the `mp` jest project (jsdom + test/helpers/mp-setup.ts) and in the `node` project,
 * where `installMiniProgramGlobals()` creates the jsdom window miniprogram-simulate needs.
 */
import * as path from 'path';
import type { Page as BrowserPage } from 'playwright-core';
import { sleep } from './wait';

export { sleep, waitFor } from './wait';

export const MP_ROOT = path.resolve(__dirname, '../../miniprogram_dist');

type Page = Record<string, unknown>;
type Simulate = typeof import('miniprogram-simulate');
/** The parts of a rendered component the simulate typings leave out. */
export type Wrapper = ReturnType<Simulate['render']> & {
  attach(parent: unknown): void;
  detach(): void;
  addEventListener(event: string, fn: (e: any) => void): void;
  triggerPageLifeTime(name: 'show' | 'hide' | 'resize', arg?: unknown): void;
};

const g = global as unknown as Record<string, any>;

/** jsdom globals + miniprogram-simulate + the page stack API, for node-environment tests. */
export function installMiniProgramGlobals(): Simulate {
  if (!g.__hkJsdom && typeof g.document === 'undefined') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { JSDOM } = require('jsdom');
    const dom = new JSDOM('<!doctype html><html><body></body></html>', { url: 'http://127.0.0.1/' });
    g.__hkJsdom = dom;
    for (const key of ['window', 'document', 'navigator', 'HTMLElement', 'Node', 'Element', 'Event', 'CustomEvent', 'getComputedStyle', 'MutationObserver']) {
      Object.defineProperty(global, key, { value: key === 'window' ? dom.window : dom.window[key], configurable: true, writable: true });
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const simulate: Simulate = require('miniprogram-simulate');
  if (!g.__pageStack) {
    const stack: Page[] = [];
    g.__pageStack = stack;
    g.getCurrentPages = () => stack.slice();
    g.getApp = () => ({ globalData: {} });
  }
  return simulate;
}

/** Closes the jsdom window made by installMiniProgramGlobals (its timers keep jest alive otherwise). */
export function closeMiniProgramGlobals(): void {
  if (g.__hkJsdom) g.__hkJsdom.window.close();
}

const loaded: Record<string, string> = {};
/** Loads a built component once per test file (loading a path twice renders nothing). */
function load(simulate: Simulate, root: string, rel: string, tag: string): string {
  const key = path.join(root, rel);
  if (!loaded[key]) loaded[key] = simulate.load(key, tag, { rootPath: root });
  return loaded[key];
}

/** The built module (same instance the built components use). */
export function mpModule<T = any>(rel: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(MP_ROOT, rel));
}

/** Renders the built bridge-webview (not attached yet). */
export function renderBridge(simulate: Simulate, props: Record<string, unknown>): Wrapper {
  const id = load(simulate, MP_ROOT, 'components/bridge-webview/index', 'hk-bridge-webview');
  return <Wrapper>simulate.render(id, { minInterval: 5, ...props });
}

/** Where the built relay page lives: `root` is the mini program root, `path` its route in app.json. */
export interface RelayPageLocation {
  root: string;
  path: string;
}

const PKG_PREFIX = 'miniprogram-hybrid-kit/';
/** Modules of the package that relay pages require by their package path. */
const PAGE_REQUIRES = ['behaviors/hybrid-relay'];

/**
 * `require('miniprogram-hybrid-kit/…')` in a relay page resolves as in WeChat: into the package
 * copy the page lives in (`…/miniprogram_npm/miniprogram-hybrid-kit/`), otherwise (a page of the
 * user's own) into the built package, which is what 构建npm copies into miniprogram_npm.
 */
function resolvePackageFor(location: RelayPageLocation): void {
  const marker = 'miniprogram_npm/' + PKG_PREFIX;
  const at = location.path.indexOf(marker);
  resolvePackageIn(at >= 0 ? path.join(location.root, location.path.slice(0, at + marker.length)) : MP_ROOT);
}

/** Makes `require('miniprogram-hybrid-kit/<module>')` of the relay page load `<pkgRoot>/<module>`. */
export function resolvePackageIn(pkgRoot: string): void {
  for (const rel of PAGE_REQUIRES) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    jest.doMock(PKG_PREFIX + rel, () => require(path.join(pkgRoot, rel)), { virtual: true });
  }
}

/** The library's relay page in miniprogram_dist (what the bridge tests' H5 pages navigate to). */
export const LIBRARY_RELAY_PAGE: RelayPageLocation = { root: MP_ROOT, path: 'pages/hybrid-relay/index' };

export interface HarnessOptions {
  /** The H5 page: the harness renders the built bridge-webview on a bare page of its own… */
  src?: string;
  query?: Record<string, unknown>;
  webviewId?: string;
  /** bridge-webview minInterval (ms between hash writes); small in tests. */
  minInterval?: number;
  /**
   * …or plays WeChat around a page the test opened (attached, on the page stack, loaded) that
   * holds a bridge-webview, e.g. a demo page: the harness shows it, and hides/shows it around relay pages.
   */
  openerPage?: Wrapper;
  /** The opener page's bridge-webview (default '#bridge'). */
  bridgeSelector?: string;
  /** The page navigateTo may open (default LIBRARY_RELAY_PAGE); any other route fails like in WeChat. */
  relayPage?: RelayPageLocation;
  /** What WeChat hands onLoad: the query value as sent (default) or percent-decoded once. */
  decodeOptions?: boolean;
}

export interface RelayVisit {
  page: Wrapper;
  options: Record<string, string>;
}

export class WeChatHarness {
  readonly simulate: Simulate;
  /** The web-view page: the test's page, or a bare page object holding the harness's own bridge. */
  readonly openerPage: Page;
  readonly bridge: Wrapper;
  /** Each src the web-view got, in order. */
  readonly srcHistory: string[] = [];
  relay: RelayVisit | null = null;
  /** Relay pages opened so far, and navigateBack calls made by relay pages. */
  relayCount = 0;
  /** Relay pages opened while another was still open (the SDK must never do that). */
  stackedRelays = 0;
  backCount = 0;
  /** navigateTo urls refused because no such page exists. */
  readonly refusedUrls: string[] = [];
  private listeners: Array<(src: string) => void> = [];
  private relayListeners: Array<(open: boolean) => void> = [];
  private readonly stack: Page[];
  private readonly originalBack: unknown;
  private readonly relayPage: RelayPageLocation;
  /** Set when the bridge sits on the test's page (the harness then does not own the page). */
  private readonly testPage: Wrapper | undefined;

  constructor(private readonly options: HarnessOptions) {
    this.simulate = installMiniProgramGlobals();
    this.stack = g.__pageStack;
    this.relayPage = options.relayPage || LIBRARY_RELAY_PAGE;
    this.testPage = options.openerPage;
    const wx = g.wx;
    this.originalBack = wx.navigateBack;
    wx.navigateBack = (opts: { success?: () => void } = {}) => {
      this.backCount++;
      setTimeout(() => {
        this.popRelay();
        if (opts.success) opts.success();
      }, 0);
    };
    if (this.testPage) {
      this.openerPage = this.testPage.instance as unknown as Page;
      if (this.stack[this.stack.length - 1] !== this.openerPage) throw new Error('the opener page must be on top of the page stack');
      const bridge = this.testPage.querySelector(options.bridgeSelector || '#bridge');
      if (!bridge) throw new Error(`no ${options.bridgeSelector || '#bridge'} on the opener page`);
      this.bridge = bridge as Wrapper;
      this.watchSrc();
      this.setOpenerShown(true); // onLoad is followed by onShow
    } else {
      if (!options.src) throw new Error('WeChatHarness needs a src (or an openerPage)');
      this.openerPage = { route: 'pages/web/index' };
      this.stack.length = 0;
      this.stack.push(this.openerPage);
      this.bridge = renderBridge(this.simulate, {
        src: options.src,
        query: options.query || {},
        webviewId: options.webviewId || 'hk-webview',
        minInterval: options.minInterval ?? 5,
      });
      this.watchSrc();
      this.bridge.attach(document.createElement('parent-wrapper'));
    }
    this.noteSrc();
  }

  get src(): string {
    return (this.bridge.instance as any).data.url;
  }

  get bridgeMethods(): { push(event: string, data?: unknown): string; reload(): void; reply(req: string, payload: unknown): void } {
    return this.bridge.instance as any;
  }

  /** The `<web-view>` node inside the bridge (to fire its bindload / bindmessage). */
  get webview(): Wrapper {
    return this.bridge.querySelector('#' + ((this.bridge.instance as any).data.webviewId as string)) as Wrapper;
  }

  /**
   * Fires an event of the `<web-view>` itself (bindload, bindmessage). In WeChat it reaches only the
   * bridge-webview's own binding; simulate's dispatchEvent would also bubble it out of the bridge.
   */
  fireWebviewEvent(name: string, detail: unknown): void {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exparser = require('miniprogram-exparser');
    const node = (this.webview as unknown as { _exparserNode: unknown })._exparserNode;
    exparser.Event.dispatchEvent(node, exparser.Event.create(name, detail, { bubbles: false, composed: false }));
  }

  onSrcChange(fn: (src: string) => void): void {
    this.listeners.push(fn);
  }

  /** Called with true when a relay page covers the web-view page, false when it is gone. */
  onRelay(fn: (open: boolean) => void): void {
    this.relayListeners.push(fn);
  }

  /** What `wx.miniProgram.navigateTo({ url })` does in WeChat; throws (navigateTo fails) for a page the app does not have. */
  openRelay(url: string): RelayVisit {
    const q = url.indexOf('?');
    const route = (q >= 0 ? url.slice(0, q) : url).replace(/^\//, '');
    if (route !== this.relayPage.path) {
      this.refusedUrls.push(url);
      throw new Error(`navigateTo:fail page "${route}" is not found`);
    }
    const options: Record<string, string> = {};
    if (q >= 0) {
      for (const pair of url.slice(q + 1).split('&')) {
        const eq = pair.indexOf('=');
        if (eq <= 0) continue;
        const value = pair.slice(eq + 1);
        options[pair.slice(0, eq)] = this.options.decodeOptions ? safeDecode(value) : value;
      }
    }
    this.relayCount++;
    if (this.relay) this.stackedRelays++;
    this.setOpenerShown(false);
    resolvePackageFor(this.relayPage);
    const id = load(this.simulate, this.relayPage.root, this.relayPage.path, 'hk-relay-page');
    const page = <Wrapper>this.simulate.render(id, {});
    this.stack.push(page.instance as unknown as Page);
    page.attach(document.createElement('parent-wrapper'));
    this.relay = { page, options };
    for (const fn of this.relayListeners) fn(true);
    (page.instance as any).onLoad(options);
    return this.relay;
  }

  /** The user presses back on the relay page. */
  leaveRelay(): void {
    this.popRelay();
  }

  private popRelay(): void {
    if (!this.relay) return;
    const { page } = this.relay;
    this.relay = null;
    const i = this.stack.indexOf(page.instance as unknown as Page);
    if (i >= 0) this.stack.splice(i, 1);
    page.detach();
    for (const fn of this.relayListeners) fn(false);
    this.setOpenerShown(true);
  }

  /** The web-view page is shown or covered: its components' pageLifetimes, and a page's own onShow/onHide. */
  private setOpenerShown(shown: boolean): void {
    const target = this.testPage || this.bridge;
    target.triggerPageLifeTime(shown ? 'show' : 'hide');
    const method = (this.openerPage as any)[shown ? 'onShow' : 'onHide'];
    if (this.testPage && typeof method === 'function') method.call(this.openerPage);
  }

  private watchSrc(): void {
    const instance = this.bridge.instance as any;
    const setData = instance.setData.bind(instance);
    instance.setData = (patch: Record<string, unknown>, cb?: () => void) => {
      setData(patch, cb);
      if (typeof patch.url === 'string') this.noteSrc();
    };
  }

  private noteSrc(): void {
    const src = this.src;
    if (this.srcHistory[this.srcHistory.length - 1] === src) return;
    this.srcHistory.push(src);
    for (const fn of this.listeners) fn(src);
  }

  /** Closes the relay page and restores wx; the harness's own bridge is detached, a test's page is left to the test. */
  close(): void {
    if (this.relay) this.popRelay();
    g.wx.navigateBack = this.originalBack;
    if (this.testPage) return;
    this.bridge.detach();
    this.stack.length = 0;
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/* ---- the H5 side: a Chromium page (test/helpers/chromium.ts) playing the web-view ---- */

/** The JS-SDK's `wx.miniProgram` as WeChat gives it to the page, backed by the harness. */
export const FAKE_JSSDK = `
window.__hkSetVisibility = function (value) {
  Object.defineProperty(document, 'visibilityState', { value: value, configurable: true });
  document.dispatchEvent(new Event('visibilitychange'));
};
window.wx = { miniProgram: {
  navigateTo: function (o) {
    window.__hkSetVisibility('hidden'); // the relay page covers the web-view page at once
    window.__hkNavigateTo(o.url).then(
      function () { o.success && o.success({ errMsg: 'navigateTo:ok' }); },
      function (e) { window.__hkSetVisibility('visible'); o.fail && o.fail({ errMsg: e.message }); }
    );
  },
  postMessage: function (o) { window.__hkPostMessage(JSON.stringify(o.data)); },
  getEnv: function (cb) { setTimeout(function () { cb({ miniprogram: true }); }, 0); }
} };`;

/**
 * Connects a Chromium page to a WeChatHarness: the page's navigateTo opens the relay page,
 * postMessage fills the batch, and each new web-view `src` navigates the page (hash only:
 * same document; `reloadNext()` makes the next one a full reload, as some devices do).
 */
export class WebviewDriver {
  readonly posted: unknown[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  private reloadOnce = false;
  private dropOnce = false;
  navigations = 0;

  constructor(readonly harness: WeChatHarness, readonly page: BrowserPage) {}

  async start(): Promise<void> {
    await this.page.exposeFunction('__hkNavigateTo', (url: string) => {
      if (this.dropOnce) this.dropOnce = false;
      else this.harness.openRelay(url);
    });
    await this.page.exposeFunction('__hkPostMessage', (json: string) => {
      this.posted.push(JSON.parse(json));
    });
    await this.page.addInitScript(FAKE_JSSDK);
    this.harness.onSrcChange((src) => this.enqueue(() => this.navigate(src)));
    // The relay page is gone: the web-view page is shown again.
    this.harness.onRelay((open) => open || this.enqueue(() => this.showPage()));
    await this.loadPage();
  }

  /** Loads the web-view's current URL; on success the web-view fires `load` (bridge-webview's `load` event). */
  private async loadPage(): Promise<void> {
    const response = await this.page.goto(this.harness.src);
    if (response && response.ok()) this.harness.fireWebviewEvent('load', { src: this.harness.src });
  }

  reloadNext(): void {
    this.reloadOnce = true;
  }

  /** The next navigateTo reports success but opens nothing (as WeChat does at the page stack limit). */
  dropNext(): void {
    this.dropOnce = true;
  }

  /** A fresh load of the web-view's current URL (a new document; sessionStorage stays). */
  async reloadPage(): Promise<void> {
    await this.page.goto('about:blank');
    await this.loadPage();
  }

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain.then(step).catch(() => undefined);
  }

  private async showPage(): Promise<void> {
    await this.page.evaluate(() => (window as any).__hkSetVisibility('visible'));
  }

  /** Resolves once every src change so far has reached the page. */
  settled(): Promise<unknown> {
    return this.chain;
  }

  private async navigate(src: string): Promise<void> {
    this.navigations++;
    if (this.reloadOnce) {
      this.reloadOnce = false;
      // A new document, not a same-document hash change (sessionStorage stays: same tab, same origin).
      await this.reloadPage();
      return;
    }
    await this.page.evaluate((u) => {
      window.location.href = u;
    }, src);
  }

  /** The user goes back from the web-view page: WeChat delivers the postMessage batch. */
  deliverBatch(): void {
    this.harness.fireWebviewEvent('message', { data: this.posted.slice() });
  }
}

/** Polls a function in the page until it returns something other than undefined. */
export async function pollPage<T>(page: BrowserPage, fn: () => T | undefined, timeout = 4000): Promise<T> {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await page.evaluate(fn).catch(() => undefined);
    if (value !== undefined) return value as T;
    if (Date.now() > end) throw new Error('timed out polling the page');
    await sleep(10);
  }
}

export interface Settled {
  ok: boolean;
  data?: any;
  code?: string;
  message?: string;
  name?: string;
}

/** `window.__bridge.call(...)` in the page, settled into { ok, data } or { ok: false, code, message }. */
export function settleCall(page: BrowserPage, api: string, params?: unknown, options?: unknown): Promise<Settled> {
  return page.evaluate(([a, p, o]) => {
    const w = window as any;
    return w.__bridge.call(a, p, o).then(
      (data: unknown) => ({ ok: true, data }),
      (e: any) => ({ ok: false, code: e.code, message: e.message, name: e.name }),
    );
  }, [api, params, options] as const);
}

/**
 * The handlers the end-to-end tests call, registered as `<prefix>echo`, `const`, `wait`
 * ({ ms, v } → v after ms), `throws` and `never`. Returns the function that removes them all.
 */
export function registerTestHandlers(registry: { register(api: string, fn: (p: any) => unknown): () => void }, prefix = ''): () => void {
  const offs = [
    registry.register(prefix + 'echo', (p: unknown) => p),
    registry.register(prefix + 'const', () => ({ same: true })),
    registry.register(prefix + 'wait', (p: { ms: number; v: unknown }) => new Promise((r) => setTimeout(() => r(p.v), p.ms))),
    registry.register(prefix + 'throws', () => {
      throw new Error(`${prefix}handler broke`);
    }),
    registry.register(prefix + 'never', () => new Promise(() => undefined)),
  ];
  return () => offs.forEach((off) => off());
}
