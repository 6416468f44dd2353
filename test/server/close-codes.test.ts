/**
 * The close codes `ws` sends on the relay's behalf, over real sockets: 1007 for a text frame that
 * is not UTF-8, 1002 for a frame that is not valid WebSocket; both counted. Every code the relay
 * can send is in CLOSE_CODES, which docs/protocol.md lists (test/core/protocol-doc.test.ts).
 */
import { WebSocket } from 'ws';
import { CLOSE_CODES } from '../../src/core/protocol';
import { relayFactory, socketUrl, TestClient } from './helpers';

const relayWith = relayFactory();

/** A ws client that has seen hello, and the close code it gets. */
async function opened(url: string): Promise<{ ws: WebSocket; closed: Promise<number> }> {
  const ws = new WebSocket(url);
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await new Promise((resolve) => ws.once('message', resolve));
  return { ws, closed };
}

test('a text frame that is not valid UTF-8 closes with 1007; the peer stays', async () => {
  const relay = await relayWith();
  const peer = await TestClient.open(relay, 'utf8', 'miniapp', 0);
  const { ws, closed } = await opened(socketUrl(relay, 'utf8', 'h5'));
  ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false }); // "{", two bytes no UTF-8 has, "}"
  expect(await closed).toBe(CLOSE_CODES.invalidPayload);
  expect(CLOSE_CODES.invalidPayload).toBe(1007);
  const m = relay.metrics();
  expect(m.closes['1007']).toBe(1);
  expect(m.rejects.bad_frame).toBe(1);
  expect(peer.closeCode).toBeNull();
  await peer.close();
});

test('a frame that is not valid WebSocket (unmasked from a client) closes with 1002', async () => {
  const relay = await relayWith();
  const { ws, closed } = await opened(socketUrl(relay, 'proto', 'h5'));
  // FIN + text opcode, payload length 2, no mask bit: clients must mask every frame.
  (ws as unknown as { _socket: { write(b: Buffer): void } })._socket.write(Buffer.from([0x81, 0x02, 0x7b, 0x7d]));
  expect(await closed).toBe(CLOSE_CODES.protocolError);
  expect(relay.metrics().closes['1002']).toBe(1);
});
