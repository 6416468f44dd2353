/**
 * Interop with a relay written like the old express-ws one: token + env pairing, every text frame
 * forwarded to the other envs of the token as a JSON string of the text (so it arrives doubly
 * encoded), no hello/ack/pong/seq. Our own minimal version of that design, on 127.0.0.1:0.
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import { WebSocket, WebSocketServer } from 'ws';
import { SocketClient } from '../../src/core/socket';
import { wxSocketTransport } from '../../src/adapters/wx-socket';
import { createWsWx, waitFor } from '../helpers/ws-wx';
import { FAST } from './socket-fixture';

async function startRelay002() {
  const byToken = new Map<string, Map<string, WebSocket>>();
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  const seen: string[] = [];
  wss.on('connection', (ws, req) => {
    const q = new URL(req.url || '/', 'http://x').searchParams;
    const token = q.get('token') || '';
    const env = q.get('env') || '';
    const envs = byToken.get(token) || new Map<string, WebSocket>();
    byToken.set(token, envs);
    envs.set(env, ws);
    ws.on('message', (data) => {
      seen.push(data.toString());
      for (const [other, peer] of envs) if (other !== env && peer.readyState === WebSocket.OPEN) peer.send(JSON.stringify(data.toString()));
    });
    ws.on('close', () => envs.get(env) === ws && envs.delete(env));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (env: string) => `ws://127.0.0.1:${port}/socket?token=shared&env=${env}`,
    seen,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      await new Promise((resolve) => wss.close(resolve));
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

test('legacyRelay: {type, data} frames and reliable messages between two clients through a 002-style relay', async () => {
  const relay = await startRelay002();
  const wx = createWsWx();
  const make = (env: string) =>
    new SocketClient({ ...FAST, heartbeatInterval: 50, ackTimeout: 100, legacyRelay: true, transport: wxSocketTransport({}, wx), target: relay.url(env) });
  const mp = make('miniapp');
  const h5 = make('h5');
  const materials: unknown[] = [];
  const notes: unknown[] = [];
  mp.subscribe('addMaterial', (data) => materials.push(data));
  mp.subscribe('note', (data) => notes.push(data));
  mp.connect();
  h5.connect();
  await waitFor(() => mp.state === 'open' && h5.state === 'open');

  h5.send({ type: 'addMaterial', data: { id: 1 } });
  const r = h5.emit('note', 'once', { reliable: true });
  await waitFor(() => materials.length === 1 && notes.length === 1 && h5.stats().unacked === 0);
  await new Promise((resolve) => setTimeout(resolve, 150)); // a heartbeat interval would have pinged by now
  expect(materials).toEqual([{ id: 1 }]);
  expect(notes).toEqual(['once']);
  // Nothing but application frames and the receiver's ack crossed the relay: no resume, no ping.
  expect(relay.seen.map((t) => JSON.parse(t).type).sort()).toEqual(['ack', 'addMaterial', 'message']);
  expect(JSON.parse(relay.seen.find((t) => t.includes('"ack"'))!).id).toBe(r.id);

  mp.destroy();
  h5.destroy();
  await relay.close();
  await wx.settled();
});
