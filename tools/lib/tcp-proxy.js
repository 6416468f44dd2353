/**
 * A TCP proxy on 127.0.0.1 for fault tests: every client connection is piped to `targetPort`, and
 * `cut()` destroys every open pair at once (both sides see the connection drop, as when a network
 * path dies). A connection whose upstream cannot be reached (the relay is down) is closed at once.
 */
const net = require('net');

async function startTcpProxy(targetPort) {
  const pairs = new Set();
  let cuts = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    const pair = { client, upstream };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const side of [client, upstream]) {
      side.on('error', end);
      side.on('close', end);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: server.address().port,
    /** Open pairs now. */
    get open() {
      return pairs.size;
    },
    get cuts() {
      return cuts;
    },
    /** Drops every open connection; returns how many. */
    cut() {
      const n = pairs.size;
      for (const { client, upstream } of [...pairs]) {
        client.destroy();
        upstream.destroy();
      }
      if (n) cuts++;
      return n;
    },
    async close() {
      this.cut();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

module.exports = { startTcpProxy };
