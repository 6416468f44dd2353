/**
 * The H5 page inside a mini program <web-view>, as the WeChat client makes it, for the real npm
 * `weixin-js-sdk` (1.6.x: the official jweixin 1.6.0 as a CommonJS module) to run against.
 *
 * What the SDK's published code expects (node_modules/weixin-js-sdk/index.js), reproduced here:
 * - It acts only when `navigator.userAgent` has "micromessenger" (read once, at load); elsewhere
 *   every call is dropped and `getEnv` never calls back.
 * - Each `wx.miniProgram.*` call waits for `window.WeixinJSBridge`: present, it runs at once;
 *   absent, it is held as a `WeixinJSBridgeReady` listener of `document`, and all held calls run
 *   together when the client dispatches that event.
 * - `navigateTo`/`postMessage` become `WeixinJSBridge.invoke('invokeMiniProgramAPI',
 *   { name, arg, appId, verify… }, callback)`; the callback gets `{ err_msg: 'invokeMiniProgramAPI:ok' }`
 *   (or `:fail…`), which the SDK turns into `errMsg` and `success`/`fail` (a `fail_` prefix is cut off).
 * - `getEnv(cb)` answers `{ miniprogram: window.__wxjs_environment === 'miniprogram' }`; on Android
 *   the client sets `__wxjs_environment` only when the JS bridge is ready.
 * - A navigateTo the client carries out covers the web-view with the new page: the H5 page is hidden
 *   (visibilitychange) until the user or `navigateBack` returns to it.
 *
 * `WEIXIN_CLIENT` is injected before any script of the page (`page.addInitScript`), as the client
 * injects its bridge; the test drives it through `window.__wechat`.
 */
import * as path from 'path';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';

/** A mini program web-view on Android (WeChat 8.0; the `miniProgram` token is there since 7.0). */
export const MINIPROGRAM_UA =
  'Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230805.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 ' +
  'Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MMWEBID/2247 MicroMessenger/8.0.47.2560(0x28002F30) ' +
  'WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64 miniProgram/wx51c3a8f2b1d0e9a7';
/** WeChat without the `miniProgram` token: its own browser, or a web-view of a client older than 7.0. */
export const WECHAT_UA = MINIPROGRAM_UA.replace(/ miniProgram\/\S+/, '');

/** The client side of the JS bridge (runs in the page before its scripts). */
export const WEIXIN_CLIENT = `(() => {
  var visibility = 'visible';
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: function () { return visibility; } });
  Object.defineProperty(document, 'hidden', { configurable: true, get: function () { return visibility === 'hidden'; } });
  var setVisibility = function (state) {
    visibility = state;
    document.dispatchEvent(new Event('visibilitychange'));
  };
  var invokes = [];
  var bridge = {
    invoke: function (name, args, callback) { invokes.push({ name: name, args: args, callback: callback }); },
    on: function () {}
  };
  window.__wechat = {
    /** Every WeixinJSBridge.invoke, in order: { name, args, callback }. */
    invokes: invokes,
    /** The navigateTo URLs the SDK handed to the client. */
    navigations: function () {
      return invokes.filter(function (i) { return i.name === 'invokeMiniProgramAPI' && i.args.name === 'navigateTo'; })
        .map(function (i) { return i.args.arg.url; });
    },
    /** The JS bridge is ready: WeixinJSBridge appears, then WeixinJSBridgeReady (Android: with the env). */
    ready: function (env) {
      if (env) window.__wxjs_environment = env;
      window.WeixinJSBridge = bridge;
      document.dispatchEvent(new Event('WeixinJSBridgeReady'));
    },
    /** The client answers invoke number i: 'ok', or 'fail_<reason>'. */
    answer: function (i, outcome) {
      var call = invokes[i];
      call.callback({ err_msg: call.name + ':' + (outcome || 'ok') });
    },
    /** A page of the mini program covers the web-view (navigateTo done), or goes away (navigateBack). */
    cover: function () { setVisibility('hidden'); },
    uncover: function () { setVisibility('visible'); }
  };
})();`;

/**
 * esbuild bundles `entry` (JavaScript) the way a user's bundler does: `weixin-js-sdk` from
 * node_modules, `miniprogram-hybrid-kit/h5` from the built ESM SDK (dist/h5/index.mjs).
 */
export async function bundlePage(entry: string): Promise<string> {
  const root = path.resolve(__dirname, '../..');
  const result = await build({
    stdin: { contents: entry, resolveDir: root, loader: 'js' },
    bundle: true,
    format: 'iife',
    target: 'es2017',
    write: false,
    logLevel: 'silent',
    alias: { 'miniprogram-hybrid-kit/h5': path.join(root, 'dist/h5/index.mjs') },
  });
  return result.outputFiles[0].text;
}

/** A new page with `userAgent` (CDP override: navigator.userAgent too) and the client's bridge injected. */
export async function openWebview(newPage: () => Promise<Page>, userAgent: string): Promise<Page> {
  const page = await newPage();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.setUserAgentOverride', { userAgent, platform: 'Linux armv8l' });
  await page.addInitScript(WEIXIN_CLIENT);
  return page;
}

/** The `req` of the call page URL the SDK handed to the client (navigation number i). */
export async function navigatedReq(page: Page, i: number): Promise<string> {
  const url = await page.evaluate((n) => (window as any).__wechat.navigations()[n] as string, i);
  return JSON.parse(decodeURIComponent(url.split('cmd=')[1])).req;
}
