/**
 * Baseline "practical limit": the least a relay can do on `ws`. Pairs connections by token + env
 * (a newer connection replaces the older one) and forwards each text frame, untouched, to the
 * other envs of the token. No parsing, no acks, no backlog, no limits.
 */
const { WebSocketServer } = require('ws');
const { tokenAndEnv } = require('./query');

function startMinimalForwarder({ port = 0, host = '127.0.0.1' } = {}) {
  const peersByToken = new Map(); // token -> Map(env -> socket)
  const wss = new WebSocketServer({ host, port, path: '/socket', perMessageDeflate: false });

  wss.on('connection', (ws, req) => {
    const { token, env } = tokenAndEnv(req.url);
    let peers = peersByToken.get(token);
    if (!peers) peersByToken.set(token, (peers = new Map()));
    const older = peers.get(env);
    if (older) older.close(4500, 'replaced');
    peers.set(env, ws);

    ws.on('message', (data, isBinary) => {
      for (const [otherEnv, other] of peers) {
        if (otherEnv !== env && other.readyState === 1) other.send(data, { binary: isBinary });
      }
    });
    ws.on('close', () => {
      if (peers.get(env) === ws) peers.delete(env);
      if (peers.size === 0 && peersByToken.get(token) === peers) peersByToken.delete(token);
    });
  });

  return new Promise((resolve, reject) => {
    wss.once('error', reject);
    wss.once('listening', () => resolve({ port: wss.address().port, wss, close: () => closeWss(wss) }));
  });
}

/** Closes a WebSocketServer and every client (1001: going away), resolving once it is down. */
function closeWss(wss, code = 1001) {
  for (const ws of wss.clients) ws.close(code, 'server shutting down');
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      for (const ws of wss.clients) ws.terminate();
    }, 500);
    wss.close(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

module.exports = { startMinimalForwarder, closeWss };
