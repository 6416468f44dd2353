/**
 * The socket.io baseline of the bench (tools/bench/baselines/socketio-server) with the real
 * socket.io-client over websocket on 127.0.0.1: it does what the figures claim it does (room per
 * token, server ack, peer ack through the server) and nothing crosses to another token.
 * Behaviour only; the timings are what `npm run bench -- --only socketio` prints.
 */
import { io, Socket } from 'socket.io-client';

/* eslint-disable @typescript-eslint/no-var-requires */
const { startSocketIoServer } = require('../../tools/bench/baselines/socketio-server');

let server: { port: number; close: () => Promise<void> };
const sockets: Socket[] = [];

function connect(token: string, env: string): Promise<Socket> {
  const socket = io(`http://127.0.0.1:${server.port}`, { transports: ['websocket'], forceNew: true, reconnection: false, query: { token, env } });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}


beforeAll(async () => {
  server = await startSocketIoServer({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server.close();
});

test('forwards to the peer of the same token only, in order, for fire-and-forget and server-acked events', async () => {
  const [a, b, other] = await Promise.all([connect('p1', 'h5'), connect('p1', 'miniapp'), connect('p2', 'miniapp')]);
  const strays: unknown[] = [];
  other.on('bench', (d: unknown) => strays.push(d));
  a.on('bench', (d: unknown) => strays.push(d)); // the sender is not sent its own message
  const got: unknown[] = [];
  b.on('bench', (d: unknown) => got.push(d));
  a.emit('bench', { n: 1 });
  await expect(a.emitWithAck('benchAck', { n: 2 })).resolves.toBeUndefined();
  await new Promise((r) => setTimeout(r, 100));
  expect(got).toEqual([{ n: 1 }, { n: 2 }]);
  expect(strays).toEqual([]);
});

test('benchPeer is acked to the sender only after the peer acked it', async () => {
  const [a, b] = await Promise.all([connect('p3', 'h5'), connect('p3', 'miniapp')]);
  let peerAck: ((v: string) => void) | undefined;
  b.on('benchPeer', (_d: unknown, ack: (v: string) => void) => (peerAck = ack));
  let settled = false;
  const acked = a.emitWithAck('benchPeer', { n: 3 }).then((v: unknown) => ((settled = true), v));
  await new Promise((r) => setTimeout(r, 150));
  expect(peerAck).toBeDefined();
  expect(settled).toBe(false);
  peerAck!('ok');
  await expect(acked).resolves.toBe('ok');
});
