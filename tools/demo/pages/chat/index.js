/**
 * Chat with the H5 page through the relay server: the library's chat-panel for the UI, its
 * socket-manager behavior for the connection (shared, reconnecting, state mirrored into
 * `socketState`) and linkChatPanel between the two. Messages are reliable (acked, resent after a
 * reconnect, delivered once), so a restart of the server mid-conversation loses nothing; a message
 * the relay never acks turns `failed` after DELIVERY_TTL and the retry tap sends it again with the
 * same id. Calls from the H5 page that arrive over the socket are answered by the same handlers as
 * the call page (serveSocketRequests).
 */
const { serveSocketRequests } = require('miniprogram-hybrid-kit/services/socket-requests');
const { linkChatPanel, managerSocket } = require('miniprogram-hybrid-kit/components/chat-panel/socket-link');
const { socketPage } = require('../../lib/socket-page');

const SELF = 'miniapp';
const PEER = 'h5';
/** Give a message up (status failed, retry offered) when the relay has not acked it within this time. */
const DELIVERY_TTL = 30000;
/** A message starting with this asks the H5 page's assistant for a streamed Markdown reply. */
const ASK_PREFIX = '/ask';

/** The page's chat link, per page instance (not page data: it holds functions). */
const links = new WeakMap();

Component({
  behaviors: [socketPage],
  options: { pureDataPattern: /^_/ },
  data: {
    token: '',
    peerOnline: false,
  },
  lifetimes: {
    detached() {
      const link = links.get(this);
      if (link) link.dispose();
      links.delete(this);
    },
  },
  methods: {
    onLoad(options) {
      const client = this.joinSocket(options);
      this.setData({ token: this.socketSettings().token });
      links.set(this, linkChatPanel(this.selectComponent('#chat'), managerSocket(this), { event: 'chat', name: SELF, peerRole: PEER, ttl: DELIVERY_TTL }));
      serveSocketRequests({ onRequest: (handler) => this.socketOnRequest(handler) });
      this.keepListeners(
        client.on('hello', (hello) => this.setPeerOnline((hello.peers || []).indexOf(PEER) >= 0)),
        client.on('presence', (p) => p.env === PEER && this.setPeerOnline(p.online)),
        client.on('close', () => this.setPeerOnline(false)),
      );
    },

    setPeerOnline(online) {
      if (this.data.peerOnline !== online) this.setData({ peerOnline: online });
    },

    /** chat-panel already shows the text as `sending` (and again on retry); the link reports the outcome. */
    onSend(e) {
      const link = links.get(this);
      link.send(e.detail.message);
      const text = e.detail.text || '';
      // `/ask …`: the H5 page answers over the socket with a stream of Markdown pieces, shown as one growing message.
      if (text.indexOf(ASK_PREFIX) === 0) link.stream('assistant.reply', { question: text.slice(ASK_PREFIX.length).trim() }, { role: 'assistant', type: 'markdown', to: PEER });
    },
    /** The panel's stop button: cancel the stream (the H5 assistant stops writing). */
    onStop(e) {
      links.get(this).stop(e.detail.id);
    },
    onRetry(e) {
      links.get(this).send(e.detail.message);
    },
  },
});
