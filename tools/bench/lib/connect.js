/** Opening many `ws` clients with a bound on how many handshakes are in flight. */
const WebSocket = require('ws');

function openOne(url, timeoutMs) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`connect timeout ${url}`));
    }, timeoutMs);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve(ws);
    });
    ws.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Opens every URL (in order) with at most `concurrency` handshakes at a time; all or an error. */
async function openMany(urls, { concurrency = 100, timeoutMs = 5000 } = {}) {
  const sockets = new Array(urls.length);
  let next = 0;
  let failed = null;
  async function lane() {
    while (next < urls.length && !failed) {
      const i = next++;
      try {
        sockets[i] = await openOne(urls[i], timeoutMs);
        sockets[i].on('error', () => {}); // a later reset is reported by 'close'
      } catch (err) {
        failed = err;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, urls.length) }, lane));
  if (failed) {
    for (const ws of sockets) if (ws) ws.terminate();
    throw failed;
  }
  return sockets;
}

module.exports = { openOne, openMany };
