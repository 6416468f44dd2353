/**
 * Echo server for the socket client figure: returns every text frame as it came. With `acks`,
 * a `message` frame that carries an `id` is also acknowledged (`{ type: 'ack', id }`, as the relay
 * does) and echoed under a fresh id so the client sees a new reliable message, not its own.
 * Acks the client sends for those echoes are swallowed.
 */
const { WebSocketServer } = require('ws');

function startEchoServer({ port = 0, host = '127.0.0.1', acks = false } = {}) {
  const wss = new WebSocketServer({ host, port, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => {
      if (!acks || isBinary) return ws.send(data, { binary: isBinary });
      let frame;
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return ws.send(data, { binary: false });
      }
      if (frame && frame.type === 'ack') return;
      if (frame && frame.type === 'message' && typeof frame.id === 'string') {
        ws.send(JSON.stringify({ type: 'ack', id: frame.id }));
        ws.send(JSON.stringify({ ...frame, id: `e${frame.id}`, seq: undefined }));
        return;
      }
      ws.send(data, { binary: false });
    });
  });
  return new Promise((resolve, reject) => {
    wss.once('error', reject);
    wss.once('listening', () => resolve({ port: wss.address().port, wss }));
  });
}

module.exports = { startEchoServer };
