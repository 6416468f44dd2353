/**
 * The H5 side of the bridge tests: a Chromium page (test/helpers/chromium.ts) playing the
 * web-view, with the real npm weixin-js-sdk as `window.wx` (as the official <script> sets it) and
 * the client's JS bridge under it backed by a WeChatHarness (test/helpers/wechat-harness.ts),
 * in a mini program web-view's user agent (test/helpers/wechat-webview.ts).
 */
import type { Page as BrowserPage } from 'playwright-core';
import type { WeChatHarness } from './wechat-harness';
import { MINIPROGRAM_UA, bundlePage } from './wechat-webview';

/**
 * What the WeChat client gives the page, backed by the harness: `__wxjs_environment`, and a ready
 * WeixinJSBridge whose `invokeMiniProgramAPI` navigateTo covers the page at once and opens the
 * call page (answering `err_msg` as the SDK expects), and whose postMessage fills the batch.
 */
export const CLIENT_BRIDGE = `
window.__hkSetVisibility = function (value) {
  Object.defineProperty(document, 'visibilityState', { value: value, configurable: true });
  document.dispatchEvent(new Event('visibilitychange'));
};
window.__wxjs_environment = 'miniprogram';
window.WeixinJSBridge = {
  invoke: function (name, args, callback) {
    if (name !== 'invokeMiniProgramAPI') return;
    if (args.name === 'postMessage') window.__hkPostMessage(JSON.stringify(args.arg));
    if (args.name !== 'navigateTo') return;
    window.__hkSetVisibility('hidden'); // the call page covers the web-view page at once
    window.__hkNavigateTo(args.arg.url).then(
      function () { callback({ err_msg: name + ':ok' }); },
      function (e) { window.__hkSetVisibility('visible'); callback({ err_msg: name + ':fail ' + e.message }); }
    );
  },
  on: function () {}
};`;

/** The npm weixin-js-sdk as the page's first script: it sets `window.wx`, as the official <script> does. */
export const sdkScript = (() => {
  let script: Promise<string> | undefined;
  return () => script || (script = bundlePage("import wx from 'weixin-js-sdk'; window.wx = wx;"));
})();

/**
 * Connects a Chromium page to a WeChatHarness: the page's navigateTo opens the call page,
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
    const cdp = await this.page.context().newCDPSession(this.page);
    await cdp.send('Network.setUserAgentOverride', { userAgent: MINIPROGRAM_UA });
    await this.page.addInitScript(CLIENT_BRIDGE);
    await this.page.addInitScript(await sdkScript());
    this.harness.onSrcChange((src) => this.enqueue(() => this.navigate(src)));
    // The call page is gone: the web-view page is shown again.
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
