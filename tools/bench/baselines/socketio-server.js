/**
 * Baseline: a socket.io 4.8 relay doing what ours does for a pair. Each client joins the room of its
 * token (query `token`); an event goes to the rest of the room. Websocket transport only,
 * perMessageDeflate off. Three events, one per figure:
 *  - `bench`: fire and forget, forwarded to the room;
 *  - `benchAck`: forwarded, then acked by the server (`emitWithAck` with a server ack);
 *  - `benchPeer`: forwarded with an ack request, acked to the sender once the peer acked
 *    (`emitWithAck` with a peer ack).
 * With `redisUrl`, instances share rooms through @socket.io/redis-adapter.
 */
const http = require('http');

const PEER_ACK_TIMEOUT_MS = 10_000;

async function redisAdapter(redisUrl) {
  const { createClient } = require('redis');
  const { createAdapter } = require('@socket.io/redis-adapter');
  const pub = createClient({ url: redisUrl });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  return { adapter: createAdapter(pub, sub), quit: () => Promise.all([pub.quit(), sub.quit()]) };
}

function onConnection(socket) {
  const room = String(socket.handshake.query.token);
  socket.join(room);
  socket.on('bench', (data) => socket.to(room).emit('bench', data));
  socket.on('benchAck', (data, ack) => {
    socket.to(room).emit('bench', data);
    if (typeof ack === 'function') ack();
  });
  socket.on('benchPeer', (data, ack) => {
    socket
      .to(room)
      .timeout(PEER_ACK_TIMEOUT_MS)
      .emit('benchPeer', data, (err) => {
        if (typeof ack === 'function') ack(err ? 'timeout' : 'ok');
      });
  });
}

async function startSocketIoServer({ port = 0, host = '127.0.0.1', redisUrl } = {}) {
  const { Server } = require('socket.io');
  const httpServer = http.createServer();
  const redis = redisUrl ? await redisAdapter(redisUrl) : null;
  const io = new Server(httpServer, {
    transports: ['websocket'],
    perMessageDeflate: false,
    serveClient: false,
    ...(redis ? { adapter: redis.adapter } : {}),
  });
  io.on('connection', onConnection);
  await new Promise((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, resolve);
  });
  const close = async () => {
    io.disconnectSockets(true);
    await new Promise((resolve) => io.close(() => resolve()));
    if (redis) await redis.quit().catch(() => {});
  };
  return { port: httpServer.address().port, close };
}

module.exports = { startSocketIoServer };
