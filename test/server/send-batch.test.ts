/** SendBatcher against a real `ws` server and client on 127.0.0.1: one turn's frames, one write. */
import * as path from 'path';
import type { AddressInfo, Socket } from 'net';
import { WebSocket, WebSocketServer } from 'ws';
import type * as SendBatchModule from '../../src/server/send-batch';
import { DIST_SERVER } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { SendBatcher } = require(path.join(DIST_SERVER, 'send-batch')) as typeof SendBatchModule;

let wss: WebSocketServer;
let serverSide: Promise<WebSocket>;
let client: WebSocket;

beforeEach(async () => {
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise((resolve) => wss.once('listening', resolve));
  serverSide = new Promise((resolve) => wss.once('connection', resolve));
  client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  await new Promise((resolve) => client.once('open', resolve));
});

afterEach(async () => {
  client.terminate();
  await new Promise((resolve) => wss.close(resolve));
});

/** Counts the writes the socket hands to the OS (writev: one call for many frames). */
function countWrites(socket: Socket): { calls: number; chunks: number } {
  const seen = { calls: 0, chunks: 0 };
  const s = socket as unknown as { _writev: (chunks: unknown[], cb: unknown) => void; _write: (c: unknown, e: unknown, cb: unknown) => void };
  const writev = s._writev.bind(socket);
  const write = s._write.bind(socket);
  s._writev = (chunks, cb) => {
    seen.calls++;
    seen.chunks += chunks.length;
    writev(chunks, cb);
  };
  s._write = (chunk, encoding, cb) => {
    seen.calls++;
    seen.chunks++;
    write(chunk, encoding, cb);
  };
  return seen;
}

function receive(count: number): Promise<string[]> {
  const got: string[] = [];
  return new Promise((resolve) => {
    client.on('message', (data) => {
      got.push(data.toString());
      if (got.length === count) resolve(got);
    });
  });
}

test('frames sent in one turn are held and written together, in order, as soon as that turn is done (a microtask)', async () => {
  const ws = await serverSide;
  const socket = (ws as unknown as { _socket: Socket })._socket;
  const writes = countWrites(socket);
  const batcher = new SendBatcher();
  const arriving = receive(20);
  for (let n = 0; n < 20; n++) {
    batcher.hold(ws);
    ws.send(`{"n":${n}}`);
  }
  expect(batcher.pending).toBe(1); // one socket, corked once
  expect(socket.writableCorked).toBe(1);
  expect(writes.calls).toBe(0);
  await null; // the end of this turn: no later phase of the event loop is waited for
  expect(writes.calls).toBe(1);
  expect(await arriving).toEqual(Array.from({ length: 20 }, (_, n) => `{"n":${n}}`));
  expect(writes.calls).toBe(1);
  expect(writes.chunks).toBe(40); // header + payload of each frame
  expect(socket.writableCorked).toBe(0);
  expect(batcher.pending).toBe(0);
});

test('flush() writes at once (used on close), and a destroyed socket is skipped', async () => {
  const ws = await serverSide;
  const socket = (ws as unknown as { _socket: Socket })._socket;
  const batcher = new SendBatcher();
  const arriving = receive(2);
  batcher.hold(ws);
  ws.send('{"a":1}');
  batcher.hold(ws);
  ws.send('{"a":2}');
  batcher.flush();
  expect(socket.writableCorked).toBe(0);
  expect(await arriving).toEqual(['{"a":1}', '{"a":2}']);
  socket.destroy();
  batcher.hold(ws);
  expect(batcher.pending).toBe(0);
});
