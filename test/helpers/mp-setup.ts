/**
 * Setup for mini program tests: miniprogram-simulate first (it rebuilds global.wx), then the
 * globals it does not provide: getApp, getCurrentPages, Page, wx.createWebViewContext.
 */
import 'miniprogram-simulate';

type AnyPage = Record<string, unknown> & { route?: string };

const g = global as unknown as Record<string, unknown>;
const app: Record<string, unknown> = { globalData: {} };
const pageStack: AnyPage[] = [];

g.getApp = () => app;
g.getCurrentPages = () => pageStack.slice();
g.Page = (options: AnyPage) => options;
/** Tests push and pop pages to shape what getCurrentPages returns. */
g.__pageStack = pageStack;

const wxObj = g.wx as Record<string, unknown>;
wxObj.createWebViewContext = () => ({ postMessage() {} });
