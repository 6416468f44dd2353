/**
 * Interop with a relay written like the old express-ws one: token + env pairing, every text frame
 * forwarded to the other envs of the token as a JSON string of the text (so it arrives doubly
 * encoded), no hello/ack/pong/seq: the fixture test/fixtures/legacy/old-relay.ts, on 127.0.0.1:0.
 */
import { SocketClient } from '../../src/core/socket';
import { wxSocketTransport } from '../../src/adapters/wx-socket';
import { createWsWx, waitFor } from '../helpers/ws-wx';
import { startOldRelay } from '../fixtures/legacy/old-relay';
import { FAST } from './socket-fixture';

test('legacyRelay: {type, data} frames and reliable messages between two clients through a relay like the old express-ws one', async () => {
  const relay = await startOldRelay();
  const wx = createWsWx();
  const make = (env: string) =>
    new SocketClient({ ...FAST, heartbeatInterval: 50, ackTimeout: 100, legacyRelay: true, transport: wxSocketTransport({}, wx), target: relay.url('shared', env) });
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
