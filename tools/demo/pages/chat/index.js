/**
 * Chat with the H5 page through the relay server: the library's chat-panel for the UI and its
 * socket-manager behavior for the connection (shared, reconnecting, state mirrored into
 * `socketState`). Messages are reliable (acked, resent after a reconnect, delivered once), so a
 * restart of the server mid-conversation loses nothing. Calls from the H5 page that arrive over the
 * socket are answered by the same handlers as the relay page (serveSocketRequests).
 */
const { serveSocketRequests } = require('miniprogram-hybrid-kit/behaviors/relay-socket');
const { relayPage } = require('../../lib/relay-page');

const CHAT_EVENT = 'chat';
const SELF = 'miniapp';
const PEER = 'h5';

/** Own messages queued while the socket is not open, per page instance. */
const pendingIds = new WeakMap();

function toPanelMessage(data, frame) {
  return {
    id: frame.id || `in-${frame.seq}`,
    role: frame.from || PEER,
    content: String(data && data.text),
    time: (data && data.time) || Date.now(),
  };
}

Component({
  behaviors: [relayPage],
  options: { pureDataPattern: /^_/ },
  data: {
    token: '',
    peerOnline: false,
  },
  methods: {
    onLoad(options) {
      const client = this.joinRelay(options);
      const pending = [];
      pendingIds.set(this, pending);
      this.setData({ token: this.relayConfig().token });
      this.socketSubscribe(CHAT_EVENT, (data, frame) => this.panel().appendMessage(toPanelMessage(data, frame)));
      serveSocketRequests({ onRequest: (handler) => this.socketOnRequest(handler) });
      this.keepListeners(
        client.on('hello', (hello) => this.setPeerOnline((hello.peers || []).indexOf(PEER) >= 0)),
        client.on('presence', (p) => p.env === PEER && this.setPeerOnline(p.online)),
        client.on('close', () => this.setPeerOnline(false)),
        client.on('open', () => this.markSent(pending.splice(0))),
      );
    },

    panel() {
      return this.selectComponent('#chat');
    },
    setPeerOnline(online) {
      if (this.data.peerOnline !== online) this.setData({ peerOnline: online });
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
      const result = this.socketEmit(CHAT_EVENT, { text, time: Date.now(), name: SELF }, { reliable: true });
      if (result.status === 'sent') this.markSent([localId]);
      else if (result.status === 'queued') pendingIds.get(this).push(localId); // resent when the socket opens
      else this.panel().updateMessage(localId, { status: 'failed' });
    },

    markSent(ids) {
      const panel = this.panel();
      ids.forEach((id) => panel.updateMessage(id, { status: 'sent' }));
    },
  },
});
