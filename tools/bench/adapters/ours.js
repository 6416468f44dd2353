/**
 * The one place that knows how to start and drive our own pieces from their builds (dist/node,
 * miniprogram_dist, dist/h5). A missing build is an error that fails its suite (run `npm run build`).
 */
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '../../..');

/** The absolute path of a built file; throws when it is missing. */
function builtPath(rel, piece) {
  const file = path.join(root, rel);
  if (!fs.existsSync(file)) throw new Error(`${piece} not built (${rel} is missing; run npm run build)`);
  return file;
}

function requireBuilt(rel, piece) {
  return require(builtPath(rel, piece));
}

/**
 * Starts our relay server (dist/node/server) on 127.0.0.1; resolves { port, close }. Open mode
 * (no secret, loopback only), no logging, no static files, and the per-connection rate limit
 * lifted: the figures measure forwarding, not the limiter. Everything else is the default.
 */
async function startRelay({ host = '127.0.0.1', port = 0, ...options } = {}) {
  const { createRelayServer } = requireBuilt('dist/node/server/index.js', 'relay server');
  const relay = createRelayServer({ host, port, logger: false, staticDir: false, ratePerSecond: 1e6, rateBurst: 1e6, ...options });
  const address = await relay.listen();
  return { port: address.port, close: () => relay.close({ graceMs: 500 }) };
}

/**
 * Our socket client (miniprogram_dist/core/socket) over Node's `ws`. `onAttempt` is called before
 * every connection attempt (the reconnect storm counts them). Heartbeat off unless asked for.
 */
function createSocketClient(url, { onAttempt, ...options } = {}) {
  const { SocketClient, webSocketTransport } = requireBuilt('miniprogram_dist/core/socket/index.js', 'socket client');
  const wsTransport = webSocketTransport(require('ws'));
  const transport = onAttempt
    ? (target) => {
        onAttempt();
        return wsTransport(target);
      }
    : wsTransport;
  return new SocketClient({ transport, target: url, heartbeatInterval: 0, ...options });
}

/**
 * How the chat figures drive our chat-panel (miniprogram_dist/components/chat-panel) with its
 * default properties: a conversation goes in with appendMessages + flush; a new message with
 * appendMessage + flush (the setData its throttled flush would send, sent now, so that each
 * append is measured alone). The burst figure calls appendMessage only.
 */
function chatPanelDriver() {
  builtPath('miniprogram_dist/components/chat-panel/index.js', 'chat-panel'); // loaded by simulate, not require
  return {
    componentPath: path.join(root, 'miniprogram_dist/components/chat-panel/index'),
    rootPath: path.join(root, 'miniprogram_dist'),
    load(instance, messages) {
      instance.appendMessages(messages);
      instance.flush();
    },
    append(instance, message) {
      instance.appendMessage(message);
      instance.flush();
    },
    burstAppend: (instance, message) => instance.appendMessage(message),
  };
}

module.exports = { root, builtPath, requireBuilt, startRelay, createSocketClient, chatPanelDriver };
