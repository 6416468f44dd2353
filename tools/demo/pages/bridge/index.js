/**
 * The H5 demo page in a <web-view> through the library's bridge-webview. Calls from the page open
 * the call page (navigate channel) and are answered by the handlers of lib/handlers.js; the
 * replies and the pushes below reach the page through the URL hash, without a reload.
 */
const { callLog, HANDLER_NAMES } = require('../../lib/handlers');

const runtimes = new WeakMap();

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    h5Url: '',
    query: {},
  },
  methods: {
    onLoad(options) {
      const app = getApp();
      const token = (options && options.token) || app.globalData.token;
      runtimes.set(this, { seenCalls: callLog.length, posted: 0 });
      // Set once: bridge-webview keeps the part before '#' fixed from here on.
      this.setData({ h5Url: app.globalData.h5Url, query: { token, env: 'h5', from: 'webview' } });
    },
    /** Back from the call page: tell the H5 page how many calls were answered meanwhile. */
    onShow() {
      const rt = runtimes.get(this);
      if (!rt || callLog.length === rt.seenCalls) return;
      const answered = callLog.slice(rt.seenCalls);
      rt.seenCalls = callLog.length;
      this.push('notice', { text: `小程序处理了 ${answered.length} 个调用`, apis: answered.map((c) => c.api) });
    },

    bridge() {
      return this.selectComponent('#bridge');
    },
    /** Sends `event` to the H5 page (its `bridge.on(event)`); returns the push id. */
    push(event, data) {
      const bridge = this.bridge();
      return bridge ? bridge.push(event, data) : undefined;
    },

    onWebviewLoad() {
      this.push('notice', { text: '小程序已就绪', handlers: HANDLER_NAMES });
    },
    onWebviewError(e) {
      console.error('[demo] web-view failed to load', e.detail);
    },
    /** postMessage items: delivered by WeChat on back / share / destroy, one event per item. */
    onPosted(e) {
      const rt = runtimes.get(this);
      rt.posted += 1;
      console.log('[demo] posted by the H5 page', e.detail.data);
    },
  },
});
