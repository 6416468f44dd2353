/**
 * The state of the shared relay connection, live. socket-manager gives this page the same
 * connection as the chat page (same URL, token and env) and mirrors its state into `socketState`.
 */
const { socketPage } = require('../../lib/socket-page');

const CHANGE_LIMIT = 8;
const SHOWN_STATS = ['state', 'attempts', 'retries', 'sent', 'received', 'queued', 'unacked', 'rtt'];

Component({
  behaviors: [socketPage],
  data: {
    url: '',
    stats: { state: 'idle' },
    lastClose: '—',
    changes: [],
  },
  methods: {
    onLoad(options) {
      const client = this.joinSocket(options);
      const config = this.socketSettings();
      this.setData({ url: `${config.url} · token ${config.token} · env ${config.env}` });
      this.refresh();
      this.keepListeners(
        client.on('state', (change) => this.refresh(`${change.from} → ${change.to} (${change.reason})`)),
        client.on('message', () => this.refresh()),
      );
    },
    /** One setData with the stats fields that changed and, when given, the state change (ring of CHANGE_LIMIT rows). */
    refresh(change) {
      const stats = this.socketClient().stats();
      const patch = {};
      for (const key of SHOWN_STATS) {
        if (stats[key] !== this.data.stats[key]) patch[`stats.${key}`] = stats[key];
      }
      const lastClose = stats.lastClose ? `${stats.lastClose.code} ${stats.lastClose.reason || ''}` : '—';
      if (lastClose !== this.data.lastClose) patch.lastClose = lastClose;
      if (change) {
        this._changeCount = (this._changeCount || 0) + 1;
        patch[`changes[${(this._changeCount - 1) % CHANGE_LIMIT}]`] = `#${this._changeCount} ${change}`;
      }
      if (Object.keys(patch).length) this.setData(patch);
    },
    onReconnect() {
      this.socketReconnect();
    },
    onClose() {
      this.socketClient().close();
    },
    onConnect() {
      this.socketClient().connect();
    },
  },
});
