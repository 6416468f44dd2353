/**
 * The demo's relay connection: one shared SocketClient per URL (chat and socket pages use the
 * same one), counted by reference; `request` frames from the H5 page are answered by the same
 * handler registry as the relay page (serveSocketRequests).
 * Consumed through miniprogram_npm like any user would.
 */
const { SocketClient, withQuery } = require('miniprogram-hybrid-kit/core/socket/index');
const { wxSocketTransport } = require('miniprogram-hybrid-kit/adapters/wx-socket');
const { serveSocketRequests } = require('miniprogram-hybrid-kit/behaviors/relay-socket');

const shared = new Map();

/** The socket URL of this token + env, as the relay expects it (`/socket?token=…&env=…`). */
function relayTarget(globalData, token) {
  return withQuery(globalData.relayUrl, { token: token || globalData.token, env: globalData.env });
}

/** Takes a reference on the connection to `url`, creating and connecting it on first use. */
function acquire(url, options) {
  let entry = shared.get(url);
  if (!entry) {
    const client = new SocketClient(Object.assign({}, options, { transport: wxSocketTransport(), target: url }));
    entry = { client, refs: 0, offRequests: serveSocketRequests(client) };
    shared.set(url, entry);
    client.connect();
  }
  entry.refs += 1;
  return entry.client;
}

/** Drops a reference; the last one closes the connection. */
function release(url) {
  const entry = shared.get(url);
  if (!entry) return;
  entry.refs -= 1;
  if (entry.refs > 0) return;
  shared.delete(url);
  entry.offRequests();
  entry.client.destroy();
}

module.exports = { acquire, release, relayTarget };
