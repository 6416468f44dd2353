/**
 * Chat with the H5 page through the relay server: the library's chat-panel for the UI, the shared
 * socket connection for transport. Messages are reliable (acked, resent after a reconnect, delivered
 * once), so a restart of the server mid-conversation loses nothing.
 */
const { acquire, release, relayTarget } = require('../../lib/connection');

const CHAT_EVENT = 'chat';
const SELF = 'miniapp';

/** Per page instance, not rendered. */
const runtimes = new WeakMap();

function toPanelMessage(data, frame) {
  return {
    id: frame.id || `in-${frame.seq}`,
    role: frame.from || 'h5',
    content: String(data && data.text),
    time: (data && data.time) || Date.now(),
  };
}

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    token: '',
    socketState: 'idle',
    peerOnline: false,
  },
  methods: {
    onLoad(options) {
      const app = getApp();
      const token = (options && options.token) || app.globalData.token;
      const url = relayTarget(app.globalData, token);
      const client = acquire(url, app.globalData.socket);
      const rt = { url, client, offs: [], pending: [] };
      runtimes.set(this, rt);
      this.setData({ token, socketState: client.state });
      rt.offs.push(
        client.on('state', (change) => this.setData({ socketState: change.to })),
        client.on('hello', (hello) => this.setData({ peerOnline: (hello.peers || []).indexOf('h5') >= 0 })),
        client.on('presence', (p) => p.env === 'h5' && this.setData({ peerOnline: p.online })),
        client.on('open', () => this.markSent(rt.pending.splice(0))),
        client.subscribe(CHAT_EVENT, (data, frame) => this.panel().appendMessage(toPanelMessage(data, frame))),
      );
    },
    onUnload() {
      const rt = runtimes.get(this);
      if (!rt) return;
      runtimes.delete(this);
      rt.offs.forEach((off) => off());
      release(rt.url);
    },

    panel() {
      return this.selectComponent('#chat');
    },

    /** chat-panel already shows the text as `sending`; the socket decides what happens next. */
    onSend(e) {
      this.transmit(e.detail.message.id, e.detail.text);
    },
    onRetry(e) {
      this.panel().updateMessage(e.detail.id, { status: 'sending' });
      this.transmit(e.detail.id, e.detail.message.content);
    },

    transmit(localId, text) {
      const rt = runtimes.get(this);
      const result = rt.client.emit(CHAT_EVENT, { text, time: Date.now(), name: SELF }, { reliable: true });
      if (result.status === 'sent') this.markSent([localId]);
      else if (result.status === 'queued') rt.pending.push(localId); // flushed when the socket opens
      else this.panel().updateMessage(localId, { status: 'failed' });
    },

    markSent(ids) {
      const panel = this.panel();
      ids.forEach((id) => panel.updateMessage(id, { status: 'sent' }));
    },
  },
});
