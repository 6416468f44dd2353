/**
 * The demo's answers to the H5 page. Registered once (app.js onLaunch) in the library's default
 * registry, so the same handlers serve calls that arrive through the call page (navigate
 * channel), the postMessage batch and the socket.
 */
const { register } = require('miniprogram-hybrid-kit/core/registry');
const { HybridError } = require('miniprogram-hybrid-kit/core/errors');

/** The last calls handled, newest last (shown on the bridge page). */
const callLog = [];
const LOG_LIMIT = 20;

function logged(api, handler) {
  return (params, context) => {
    callLog.push({ api, source: context.source, req: context.req, time: Date.now() });
    if (callLog.length > LOG_LIMIT) callLog.splice(0, callLog.length - LOG_LIMIT);
    return handler(params, context);
  };
}

function systemInfo() {
  const info = typeof wx.getSystemInfoSync === 'function' ? wx.getSystemInfoSync() : {};
  return { platform: info.platform || 'unknown', model: info.model || 'unknown', SDKVersion: info.SDKVersion || 'unknown' };
}

const HANDLERS = {
  /** Sends the params back, stamped by the mini program. */
  echo: (params) => ({ echoed: params === undefined ? null : params, by: 'miniapp', at: Date.now() }),
  /** Something only the mini program knows. */
  getSystemInfo: () => systemInfo(),
  /** Shows what a refused call looks like on the H5 side: BAD_REQUEST without a name. */
  greet: (params) => {
    const name = params && typeof params.name === 'string' ? params.name.trim() : '';
    if (!name) throw new HybridError('BAD_REQUEST', 'greet needs { name: string }');
    return { text: `你好，${name}！来自小程序` };
  },
};

/** Registers every demo handler; returns the function that removes them all. */
function registerDemoHandlers() {
  const offs = Object.keys(HANDLERS).map((api) => register(api, logged(api, HANDLERS[api])));
  return () => offs.forEach((off) => off());
}

module.exports = { registerDemoHandlers, callLog, HANDLER_NAMES: Object.keys(HANDLERS) };
