/** The state of the shared relay connection (the one the chat page uses), live. */
const { acquire, release, relayTarget } = require('../../lib/connection');

const CHANGE_LIMIT = 8;
const SHOWN_STATS = ['state', 'attempts', 'retries', 'sent', 'received', 'queued', 'unacked', 'rtt'];
const runtimes = new WeakMap();

Component({
  data: {
    url: '',
    stats: { state: 'idle' },
    lastClose: '—',
    changes: [],
  },
  methods: {
    onLoad(options) {
      const app = getApp();
      const url = relayTarget(app.globalData, options && options.token);
      const client = acquire(url, app.globalData.socket);
      const rt = { url, client, offs: [] };
      runtimes.set(this, rt);
      this.setData({ url });
      this.refresh();
      rt.offs.push(
        client.on('state', (change) => this.refresh(`${change.from} → ${change.to} (${change.reason})`)),
        client.on('message', () => this.refresh()),
      );
    },
    onUnload() {
      const rt = runtimes.get(this);
      if (!rt) return;
      runtimes.delete(this);
      rt.offs.forEach((off) => off());
      release(rt.url);
    },

    /** One setData with the stats fields that changed and, when given, the state change (ring of CHANGE_LIMIT rows). */
    refresh(change) {
      const rt = runtimes.get(this);
      const stats = rt.client.stats();
      const patch = {};
      for (const key of SHOWN_STATS) {
        if (stats[key] !== this.data.stats[key]) patch[`stats.${key}`] = stats[key];
      }
      const lastClose = stats.lastClose ? `${stats.lastClose.code} ${stats.lastClose.reason || ''}` : '—';
      if (lastClose !== this.data.lastClose) patch.lastClose = lastClose;
      if (change) {
        rt.changeCount = (rt.changeCount || 0) + 1;
        patch[`changes[${(rt.changeCount - 1) % CHANGE_LIMIT}]`] = `#${rt.changeCount} ${change}`;
      }
      if (Object.keys(patch).length) this.setData(patch);
    },
    onReconnect() {
      runtimes.get(this).client.reconnect('demo: reconnect tapped');
    },
    onClose() {
      runtimes.get(this).client.close();
    },
    onConnect() {
      runtimes.get(this).client.connect();
    },
  },
});
