/**
 * The one mini program test setup: miniprogram-simulate (it builds global.wx when first required)
 * plus the globals it does not provide: getApp, getCurrentPages, Page, wx.createWebViewContext.
 * The `mp` jest project runs it before each file (test/helpers/mp-setup.ts, under jsdom); tests in
 * the `node` project call it themselves, and it creates the jsdom window simulate needs
 * (tools/lib/jsdom-window.js).
 */
import { closeJsdomWindow, installJsdomWindow } from '../../tools/lib/jsdom-window';

type Simulate = typeof import('miniprogram-simulate');
type AnyPage = Record<string, unknown>;

const g = global as unknown as Record<string, any>;

/** Installs everything once per test file (later calls only return simulate). */
export function installMiniProgramGlobals(): Simulate {
  installJsdomWindow();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const simulate: Simulate = require('miniprogram-simulate');
  if (!g.__pageStack) {
    const app: Record<string, unknown> = { globalData: {} };
    const stack: AnyPage[] = [];
    /** Tests push and pop pages to shape what getCurrentPages returns. */
    g.__pageStack = stack;
    g.getCurrentPages = () => stack.slice();
    g.getApp = () => app;
    g.Page = (options: AnyPage) => options;
    g.wx.createWebViewContext = () => ({ postMessage() {} });
  }
  return simulate;
}

/** The page stack getCurrentPages reads (tests push and pop pages on it). */
export function pageStack(): AnyPage[] {
  installMiniProgramGlobals();
  return g.__pageStack;
}

/** Closes the jsdom window made by installMiniProgramGlobals (its timers keep jest alive otherwise). */
export function closeMiniProgramGlobals(): void {
  closeJsdomWindow();
}
