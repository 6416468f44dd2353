/**
 * The H5 side of the bridge tests: a Chromium page (test/helpers/chromium.ts) playing the
 * web-view, with a `wx.miniProgram` backed by a WeChatHarness (test/helpers/wechat-harness.ts).
 */
import type { Page as BrowserPage } from 'playwright-core';
import type { WeChatHarness } from './wechat-harness';

/** The JS-SDK's `wx.miniProgram` as WeChat gives it to the page, backed by the harness. */
export const FAKE_JSSDK = `
window.__hkSetVisibility = function (value) {
  Object.defineProperty(document, 'visibilityState', { value: value, configurable: true });
  document.dispatchEvent(new Event('visibilitychange'));
};
window.wx = { miniProgram: {
  navigateTo: function (o) {
    window.__hkSetVisibility('hidden'); // the call page covers the web-view page at once
    window.__hkNavigateTo(o.url).then(
      function () { o.success && o.success({ errMsg: 'navigateTo:ok' }); },
      function (e) { window.__hkSetVisibility('visible'); o.fail && o.fail({ errMsg: e.message }); }
    );
  },
  postMessage: function (o) { window.__hkPostMessage(JSON.stringify(o.data)); },
  getEnv: function (cb) { setTimeout(function () { cb({ miniprogram: true }); }, 0); }
} };`;

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
    await this.page.addInitScript(FAKE_JSSDK);
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
