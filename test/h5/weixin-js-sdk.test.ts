/**
 * The H5 SDK against the real npm `weixin-js-sdk` (the official jweixin 1.6.0) in headless
 * Chromium, in a mini program web-view as the WeChat client makes it (test/helpers/wechat-webview.ts):
 * the page is bundled as its README says (`import wx from 'weixin-js-sdk'`) and hands
 * `wx.miniProgram` to createBridge. Checked: env detection (the user agent, the SDK's `getEnv`,
 * outside WeChat), and "one navigateTo in flight, never stacked" through the SDK's own
 * `navigateTo`, which holds calls until the JS bridge is ready and answers through `errMsg`.
 */
import type { Page } from 'playwright-core';
import { HeadlessBrowser, launchBrowser, serveFiles, StaticServer } from '../helpers/chromium';
import { pollPage } from '../helpers/h5-page';
import { MINIPROGRAM_UA, WECHAT_UA, bundlePage, navigatedReq, openWebview } from '../helpers/wechat-webview';

const APP = `
import wx from 'weixin-js-sdk';
import { createBridge } from 'miniprogram-hybrid-kit/h5';
const q = new URLSearchParams(location.search);
window.__sdk = wx;
window.__settled = {};
window.__bridge = createBridge({ miniProgram: wx.miniProgram, callPage: '/pages/call/index', envTimeout: Number(q.get('envTimeout') || 200) });
window.__call = (name, timeout) => {
  __settled[name] = 'pending';
  __bridge.call(name, { n: name }, { timeout: timeout || 8000 }).then(
    (d) => { __settled[name] = ['ok', d]; },
    (e) => { __settled[name] = [e.code, e.message]; });
};
window.__env = 'pending';
window.__detect = () => { __bridge.env().then((env) => { window.__env = env; }); };
`;

let server: StaticServer;
let browser: HeadlessBrowser;
let page: Page;

jest.setTimeout(30_000);

beforeAll(async () => {
  const app = await bundlePage(APP);
  server = await serveFiles({ '/web.html': '<!doctype html><meta charset="utf-8"><title>web-view</title><script src="/app.js"></script>', '/app.js': app });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

afterEach(() => page?.close());

async function open(userAgent: string, query = ''): Promise<Page> {
  page = await openWebview(() => browser.newPage(), userAgent);
  await page.goto(server.origin + '/web.html' + query);
  return page;
}

const w = (fn: () => unknown): Promise<any> => page.evaluate(fn);
const settled = (name: string): Promise<any> =>
  pollPage(page, new Function(`var s = window.__settled[${JSON.stringify(name)}]; return s === 'pending' ? undefined : s;`) as () => unknown);
const navigations = () => w(() => (window as any).__wechat.navigations().length);
const reply = (req: string, payload: unknown, nonce: number) => `#${req}=${encodeURIComponent(JSON.stringify(payload))}&v=${nonce}`;

test('the page gets the real SDK: it keeps window.wx to itself (npm build) and its miniProgram is what createBridge uses', async () => {
  await open(MINIPROGRAM_UA);
  expect(await w(() => typeof (window as any).wx)).toBe('undefined');
  expect(await w(() => Object.keys((window as any).__sdk.miniProgram).sort())).toEqual(
    ['getEnv', 'navigateBack', 'navigateTo', 'postMessage', 'reLaunch', 'redirectTo', 'switchTab'],
  );
  // postMessage goes through the SDK to the client's invokeMiniProgramAPI, with our item as `arg`.
  await w(() => (window as any).__wechat.ready('miniprogram'));
  await w(() => (window as any).__bridge.post({ cart: 2 }));
  const invoke = await w(() => {
    const i = (window as any).__wechat.invokes[0];
    return { name: i.name, api: i.args.name, arg: i.args.arg, signType: i.args.verifySignType };
  });
  expect(invoke).toEqual({ name: 'invokeMiniProgramAPI', api: 'postMessage', arg: { _hkmsg: expect.any(String), data: { cart: 2 } }, signType: 'sha1' });
});

describe('env detection', () => {
  test('mini program web-view: "miniprogram" from the user agent, before the JS bridge is ready', async () => {
    await open(MINIPROGRAM_UA, '?envTimeout=20000');
    await w(() => (window as any).__detect());
    expect(await w(() => (window as any).__env)).toBe('miniprogram');
  });

  test('a client without the miniProgram token: the SDK\'s getEnv answers once the bridge is ready (Android sets __wxjs_environment then)', async () => {
    await open(WECHAT_UA, '?envTimeout=20000');
    await w(() => (window as any).__detect());
    await new Promise((r) => setTimeout(r, 100));
    expect(await w(() => (window as any).__env)).toBe('pending'); // the SDK holds getEnv
    await w(() => (window as any).__wechat.ready('miniprogram'));
    expect(await pollPage(page, () => ((window as any).__env !== 'pending' ? (window as any).__env : undefined))).toBe('miniprogram');
  });

  test('WeChat\'s own browser: getEnv answers miniprogram:false, so "wechat" without waiting for the timeout; calls reject', async () => {
    await open(WECHAT_UA, '?envTimeout=20000');
    await w(() => (window as any).__wechat.ready());
    await w(() => (window as any).__detect());
    expect(await pollPage(page, () => ((window as any).__env !== 'pending' ? (window as any).__env : undefined))).toBe('wechat');
    await w(() => (window as any).__call('x'));
    expect(await settled('x')).toEqual(['NOT_IN_MINIPROGRAM', 'not in a mini program web-view: wechat']);
    expect(await navigations()).toBe(0);
  });

  test('a plain browser: the SDK does nothing (getEnv never calls back), "browser" after envTimeout; calls reject without navigating', async () => {
    await open('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36');
    await w(() => (window as any).__wechat.ready());
    await w(() => (window as any).__detect());
    expect(await pollPage(page, () => ((window as any).__env !== 'pending' ? (window as any).__env : undefined))).toBe('browser');
    await w(() => (window as any).__call('y'));
    expect(await settled('y')).toEqual(['NOT_IN_MINIPROGRAM', 'not in a mini program web-view: browser']);
    expect(await w(() => (window as any).__wechat.invokes.length)).toBe(0);
  });
});

describe('one navigateTo in flight, never stacked', () => {
  test('calls made before the JS bridge is ready time out; the SDK held one navigateTo, not three, and it fires alone at ready', async () => {
    await open(MINIPROGRAM_UA);
    await w(() => {
      for (const name of ['c1', 'c2', 'c3']) (window as any).__call(name, 60);
    });
    for (const name of ['c1', 'c2', 'c3']) expect((await settled(name))[0]).toBe('TIMEOUT');
    expect(await w(() => (window as any).__wechat.invokes.length)).toBe(0); // held by the SDK
    await w(() => (window as any).__wechat.ready('miniprogram'));
    expect(await navigations()).toBe(1);
    // The client carries it out: the call page covers the web-view, then goes back.
    await w(() => {
      const wc = (window as any).__wechat;
      wc.answer(0, 'ok');
      wc.cover();
      wc.uncover();
      (window as any).__call('c4', 4000);
    });
    expect(await pollPage(page, () => ((window as any).__wechat.navigations().length === 2 ? true : undefined))).toBe(true);
    expect(await navigatedReq(page, 1)).not.toBe(await navigatedReq(page, 0));
  });

  test('two calls at once: the second navigates only after the first one\'s reply; each gets its own answer', async () => {
    await open(MINIPROGRAM_UA);
    await w(() => (window as any).__wechat.ready('miniprogram'));
    await w(() => {
      (window as any).__call('a');
      (window as any).__call('b');
    });
    await pollPage(page, () => ((window as any).__wechat.navigations().length === 1 ? true : undefined));
    const url = await w(() => (window as any).__wechat.navigations()[0]);
    expect(url.startsWith('/pages/call/index?cmd=')).toBe(true);
    const cmd = JSON.parse(decodeURIComponent(url.split('cmd=')[1]));
    expect(cmd).toEqual({ v: 1, req: expect.any(String), api: 'a', params: { n: 'a' } });
    await w(() => {
      const wc = (window as any).__wechat;
      wc.answer(0, 'ok');
      wc.cover();
    });
    await w(() => (window as any).__wechat.uncover());
    await new Promise((r) => setTimeout(r, 100));
    expect(await navigations()).toBe(1); // back on the page, but a's reply has not come: b waits
    await page.evaluate((h) => (location.hash = h), reply(cmd.req, { ok: true, data: 'A' }, 1));
    expect(await settled('a')).toEqual(['ok', 'A']);
    await pollPage(page, () => ((window as any).__wechat.navigations().length === 2 ? true : undefined));
    expect(JSON.parse(decodeURIComponent((await w(() => (window as any).__wechat.navigations()[1])).split('cmd=')[1])).api).toBe('b');
    await page.evaluate((h) => (location.hash = h), reply(await navigatedReq(page, 1), { ok: true, data: 'B' }, 2));
    expect(await settled('b')).toEqual(['ok', 'B']);
    expect(await navigations()).toBe(2);
  });

  test('the client refuses a navigateTo (the SDK cuts "fail_" off errMsg): the call is CANCELLED and the next one goes', async () => {
    await open(MINIPROGRAM_UA);
    await w(() => (window as any).__wechat.ready('miniprogram'));
    await w(() => {
      (window as any).__call('f');
      (window as any).__call('g');
    });
    await pollPage(page, () => ((window as any).__wechat.navigations().length === 1 ? true : undefined));
    await w(() => (window as any).__wechat.answer(0, 'fail_page not found'));
    expect(await settled('f')).toEqual(['CANCELLED', 'navigateTo failed: invokeMiniProgramAPI:page not found']);
    expect(await pollPage(page, () => ((window as any).__wechat.navigations().length === 2 ? true : undefined))).toBe(true);
    expect(await w(() => (window as any).__settled.g)).toBe('pending');
  });
});
