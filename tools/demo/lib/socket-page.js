/**
 * What the demo's socket pages share: the library's socket-manager behavior, configured from
 * app.globalData (config.js) once onLoad knows the token, plus cleanup of the listeners a page
 * adds to the shared client. Pages with the same URL, token and env share one connection.
 *
 *   Component({ behaviors: [socketPage], methods: { onLoad(o) { const client = this.joinSocket(o); … } } })
 */
const { socketManager } = require('miniprogram-hybrid-kit/behaviors/socket-manager');

/** Per page instance: its socket configuration and the listeners to remove on detach. */
const runtimes = new WeakMap();

function settingsFor(token) {
  const globalData = getApp().globalData;
  return Object.assign({}, globalData.socket, {
    url: globalData.relayUrl,
    token: token || globalData.token,
    env: globalData.env,
  });
}

const socketPage = Behavior({
  behaviors: [socketManager],
  lifetimes: {
    detached() {
      const rt = runtimes.get(this);
      if (!rt) return;
      runtimes.delete(this);
      rt.offs.forEach((off) => off());
    },
  },
  methods: {
    /** socket-manager asks for its configuration; there is none before onLoad knows the token. */
    socketConfig() {
      const rt = runtimes.get(this);
      return rt && rt.config;
    },
    /** Joins the shared connection for `options.token` (or the configured one); returns the client. */
    joinSocket(options) {
      const rt = { config: settingsFor(options && options.token), offs: [] };
      runtimes.set(this, rt);
      this.socketStart();
      return this.socketClient();
    },
    socketSettings() {
      return runtimes.get(this).config;
    },
    /** Keeps `off` functions of client listeners until the page goes away. */
    keepListeners(...offs) {
      runtimes.get(this).offs.push(...offs);
    },
    onUnload() {
      this.socketStop();
    },
  },
});

module.exports = { socketPage };
