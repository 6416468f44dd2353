/**
 * Where the demo finds the relay server started by `npm start` (hybrid-kit serve, port 8787).
 * DevTools on the same machine reaches 127.0.0.1; a phone needs your computer's LAN address
 * (and, outside DevTools, wss:// on a domain configured in the mini program admin console).
 */
module.exports = {
  /** The relay's WebSocket endpoint. */
  relayUrl: 'ws://127.0.0.1:8787/socket',
  /** The H5 demo page served by the relay at `/`. */
  h5Url: 'http://127.0.0.1:8787/',
  /** Pairs this mini program with the H5 page (same token, different env, as the old relay paired them). */
  token: 'demo',
  /** This side's env name on the relay; the H5 page is `h5`. */
  env: 'miniapp',
  /** Passed to the socket client: reconnect backoff, heartbeat, timeouts. */
  socket: {
    backoff: { base: 500, cap: 8000 },
    heartbeatInterval: 20000,
  },
};
