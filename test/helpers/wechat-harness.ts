/**
 * Plays WeChat for the bridge tests: a page with the BUILT bridge-webview on it (miniprogram-simulate;
 * a bare page of the harness's own, or a page the test opened, e.g. the demo's bridge page with
 * `openerPage` and `callPage` pointing into its miniprogram_npm), and the relay round trip:
 * `openRelay(url)` does what `wx.miniProgram.navigateTo` does (hide the web-view page, push and
 * load the call page with the query as options), `wx.navigateBack` pops it and shows the
 * web-view page again. Every change of the bridge's web-view `src` is reported through
 * `onSrcChange` (test/helpers/webview-driver.ts turns each into a real navigation of a Chromium page).
 *
 * Works in the `mp` jest project and in the `node` project (test/helpers/mp-globals.ts).
 */
import * as path from 'path';
import { pageStack } from './mp-globals';
import { loadComponent, MP_ROOT, PKG_NAME, render, Rendered, resolvePackageIn } from './mp-dist';

type Page = Record<string, unknown>;

const globalWx = () => (global as unknown as { wx: Record<string, any> }).wx;

/** Renders the built bridge-webview (not attached yet). */
export function renderBridge(props: Record<string, unknown>): Rendered {
  return render(loadComponent('components/bridge-webview/index', 'hk-bridge-webview'), { minInterval: 5, ...props });
}

/** Where the built call page lives: `root` is the mini program root, `path` its route in app.json. */
export interface RelayPageLocation {
  root: string;
  path: string;
}

/**
 * `require('miniprogram-hybrid-kit/…')` in a call page resolves as in WeChat: into the package
 * copy the page lives in (`…/miniprogram_npm/miniprogram-hybrid-kit/`), otherwise (a page of the
 * user's own) into the built package, which is what 构建npm copies into miniprogram_npm.
 */
function resolvePackageFor(location: RelayPageLocation): void {
  const marker = 'miniprogram_npm/' + PKG_NAME + '/';
  const at = location.path.indexOf(marker);
  resolvePackageIn(at >= 0 ? path.join(location.root, location.path.slice(0, at + marker.length)) : MP_ROOT);
}

/** The library's call page in miniprogram_dist (what the bridge tests' H5 pages navigate to). */
export const LIBRARY_RELAY_PAGE: RelayPageLocation = { root: MP_ROOT, path: 'pages/hybrid-call/index' };

export interface HarnessOptions {
  /** The H5 page: the harness renders the built bridge-webview on a bare page of its own… */
  src?: string;
  query?: Record<string, unknown>;
  webviewId?: string;
  /** bridge-webview minInterval (ms between hash writes); small in tests. */
  minInterval?: number;
  /**
   * …or plays WeChat around a page the test opened (attached, on the page stack, loaded) that
   * holds a bridge-webview, e.g. a demo page: the harness shows it, and hides/shows it around call pages.
   */
  openerPage?: Rendered;
  /** The opener page's bridge-webview (default '#bridge'). */
  bridgeSelector?: string;
  /** The page navigateTo may open (default LIBRARY_RELAY_PAGE); any other route fails like in WeChat. */
  callPage?: RelayPageLocation;
  /** What WeChat hands onLoad: the query value as sent (default) or percent-decoded once. */
  decodeOptions?: boolean;
}

export interface RelayVisit {
  page: Rendered;
  options: Record<string, string>;
}

export class WeChatHarness {
  /** The web-view page: the test's page, or a bare page object holding the harness's own bridge. */
  readonly openerPage: Page;
  readonly bridge: Rendered;
  /** Each src the web-view got, in order. */
  readonly srcHistory: string[] = [];
  relay: RelayVisit | null = null;
  /** Call pages opened so far, and navigateBack calls made by call pages. */
  relayCount = 0;
  /** Call pages opened while another was still open (the SDK must never do that). */
  stackedRelays = 0;
  backCount = 0;
  /** navigateTo urls refused because no such page exists. */
  readonly refusedUrls: string[] = [];
  private listeners: Array<(src: string) => void> = [];
  private relayListeners: Array<(open: boolean) => void> = [];
  private readonly stack: Page[];
  private readonly originalBack: unknown;
  private readonly callPage: RelayPageLocation;
  /** Set when the bridge sits on the test's page (the harness then does not own the page). */
  private readonly testPage: Rendered | undefined;

  constructor(private readonly options: HarnessOptions) {
    this.stack = pageStack();
    this.callPage = options.callPage || LIBRARY_RELAY_PAGE;
    this.testPage = options.openerPage;
    const wx = globalWx();
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
      this.bridge = bridge as Rendered;
      this.watchSrc();
      this.setOpenerShown(true); // onLoad is followed by onShow
    } else {
      if (!options.src) throw new Error('WeChatHarness needs a src (or an openerPage)');
      this.openerPage = { route: 'pages/web/index' };
      this.stack.length = 0;
      this.stack.push(this.openerPage);
      this.bridge = renderBridge({
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
  get webview(): Rendered {
    return this.bridge.querySelector('#' + ((this.bridge.instance as any).data.webviewId as string)) as Rendered;
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

  /** Called with true when a call page covers the web-view page, false when it is gone. */
  onRelay(fn: (open: boolean) => void): void {
    this.relayListeners.push(fn);
  }

  /** What `wx.miniProgram.navigateTo({ url })` does in WeChat; throws (navigateTo fails) for a page the app does not have. */
  openRelay(url: string): RelayVisit {
    const q = url.indexOf('?');
    const route = (q >= 0 ? url.slice(0, q) : url).replace(/^\//, '');
    if (route !== this.callPage.path) {
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
    resolvePackageFor(this.callPage);
    const page = render(loadComponent(this.callPage.path, 'hk-call-page', this.callPage.root), {});
    this.stack.push(page.instance as unknown as Page);
    page.attach(document.createElement('parent-wrapper'));
    this.relay = { page, options };
    for (const fn of this.relayListeners) fn(true);
    (page.instance as any).onLoad(options);
    return this.relay;
  }

  /** The user presses back on the call page. */
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

  /** Closes the call page and restores wx; the harness's own bridge is detached, a test's page is left to the test. */
  close(): void {
    if (this.relay) this.popRelay();
    globalWx().navigateBack = this.originalBack;
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

