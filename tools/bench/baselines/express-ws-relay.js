/**
 * Baseline: the old relay design, written by us: express + express-ws on `/socket`,
 * a Map of token -> Map(env -> socket), an older connection of the same token + env closed, and
 * each message parsed as JSON and re-encoded with JSON.stringify for every other env. The original's
 * per-message console.log calls are left out (they would only make the baseline slower).
 */
const http = require('http');
const express = require('express');
const expressWs = require('express-ws');
const { tokenAndEnv } = require('./query');

function startExpressWsRelay({ port = 0, host = '127.0.0.1' } = {}) {
  const app = express();
  const server = http.createServer(app);
  const { getWss } = expressWs(app, server, { wsOptions: { perMessageDeflate: false } });
  const connections = new Map();

  app.ws('/socket', (ws, req) => {
    const { token, env } = tokenAndEnv(req.url);
    const connection = connections.get(token) || new Map();
    const older = connection.get(env);
    if (older) {
      connection.delete(env);
      if (older.readyState === 1) older.close();
    }
    connection.set(env, ws);
    connections.set(token, connection);

    ws.on('message', (msg) => {
      let message;
      try {
        message = JSON.parse(msg.toString());
      } catch {
        return;
      }
      for (const [otherEnv, other] of connections.get(token) || []) {
        if (otherEnv !== env && other.readyState === 1) other.send(JSON.stringify(message));
      }
    });
    ws.on('close', () => {
      const current = connections.get(token);
      if (current && current.get(env) === ws) {
        current.delete(env);
        if (current.size === 0) connections.delete(token);
      }
    });
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const close = () =>
        new Promise((done) => {
          for (const ws of getWss().clients) ws.terminate();
          server.close(() => done());
          server.closeAllConnections();
        });
      resolve({ port: server.address().port, close });
    });
  });
}

module.exports = { startExpressWsRelay };
