/**
 * The one place that knows how to start and drive our own pieces from their builds (dist/node,
 * miniprogram_dist, dist/h5). A piece that has not landed yet throws NotLanded, and its figures
 * are reported as skipped with that reason.
 */
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '../../..');

class NotLanded extends Error {
  constructor(message) {
    super(message);
    this.name = 'NotLanded';
  }
}

function requireBuilt(rel, piece) {
  const file = path.join(root, rel);
  if (!fs.existsSync(file)) throw new NotLanded(`${piece} not built (${rel})`);
  return require(file);
}

/** Starts our relay server on 127.0.0.1; resolves { port, close }. */
async function startRelay(options = {}) {
  const server = requireBuilt('dist/node/server/index.js', 'relay server');
  void server;
  throw new NotLanded('relay server: in-process start API not wired yet');
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

/** How the chat figures drive our chat-panel (miniprogram_dist/components/chat-panel). */
function chatPanelDriver() {
  requireBuilt('miniprogram_dist/components/chat-panel/index.js', 'chat-panel');
  throw new NotLanded('chat-panel: append API not wired yet');
}

module.exports = { root, NotLanded, requireBuilt, startRelay, createSocketClient, chatPanelDriver };
