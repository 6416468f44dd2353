/**
 * Clients written for the old express-ws relay (container platform), unchanged, against our relay; and
 * our clients against that old relay. Both old sides are fixtures reproduced from their published code
 * (test/fixtures/legacy/old-relay.ts, old-relay-clients.ts); our relay is the BUILT one
 * (in process, or `hybrid-kit serve` as a child process where it is SIGKILLed).
 */
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import { SocketClient } from '../../src/core/socket';
import { wxSocketTransport } from '../../src/adapters/wx-socket';
import { createWsWx, WsWx } from '../helpers/ws-wx';
import { sleep, waitFor } from '../helpers/wait';
import { startOldRelay } from '../fixtures/legacy/old-relay';
import { oldH5Client, oldMiniProgramClient, OldH5Client, OldMiniProgramClient } from '../fixtures/legacy/old-relay-clients';
import { redisRelays, Relay, startRelay } from './helpers';

jest.setTimeout(30_000);

/** A token as such apps have them (base64 with `+`, `/`, `=`), put in the URL unencoded by the old clients. */
const TOKEN = 'pa+ir/1=';
const RECONNECT_MS = 200;
const FAST = { backoff: { base: 20, cap: 100 }, heartbeatInterval: 0, connectTimeout: 2000, closeTimeout: 200, minUptime: 100, ackTimeout: 300 };

let wx: WsWx;
const onRedis = redisRelays();
const stops: Array<() => void | Promise<unknown>> = [];

beforeEach(() => {
  wx = createWsWx();
});

afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  await wx.settled();
});

function oldMp(base: string): OldMiniProgramClient {
  const mp = oldMiniProgramClient(wx, base, TOKEN, RECONNECT_MS);
  stops.push(() => mp.stop());
  return mp;
}

/** The two old clients; `h5Base` when the H5 page is on another relay instance. */
function oldPair(base: string, h5Base = base): { mp: OldMiniProgramClient; h5: OldH5Client } {
  const h5 = oldH5Client(h5Base, TOKEN, RECONNECT_MS);
  stops.push(() => h5.stop());
  return { mp: oldMp(base), h5 };
}

/** The same conversation between the two old clients, over a given relay; what each received. */
async function conversation(base: string, h5Base = base): Promise<{ mp: string[]; h5: string[]; mpParsed: Array<[unknown, unknown]>; mpErrors: string[] }> {
  const { mp, h5 } = oldPair(base, h5Base);
  await waitFor(() => mp.opens === 1 && h5.opens === 1, 5000, 'both old clients open');
  await sleep(150); // our relay serves a client that sends no `resume` after resumeWaitMs (100 ms here)
  h5.send('addMaterial', { id: 1, s: '= & % # + 中文 😀' });
  await waitFor(() => mp.raw.length === 1, 5000, 'the H5 message at the mini program');
  mp.onSend(); // plain text, not JSON
  mp.sendText('{"type":"note",  "data":"\\u4e2d"}'); // spacing and escapes as the sender wrote them
  mp.sendText('{"data":1}'); // JSON without a type
  await waitFor(() => h5.raw.length === 3, 5000, 'three messages at the H5 page');
  return { mp: mp.raw.slice(), h5: h5.raw.slice(), mpParsed: mp.received.slice(), mpErrors: mp.errors.slice() };
}

test('old clients get byte for byte what the old relay sent them (the same conversation over both relays)', async () => {
  const old = await startOldRelay();
  stops.push(() => old.close());
  const before = await conversation(`ws://127.0.0.1:${old.port}/socket`);
  for (const stop of stops.splice(0).reverse()) await stop();

  const relay = await startRelay();
  stops.push(() => relay.close({ graceMs: 50 }));
  const after = await conversation(relay.url());
  expect(after).toEqual(before);
  expect(after.h5).toEqual([JSON.stringify('这是小程序消息'), JSON.stringify('{"type":"note",  "data":"\\u4e2d"}'), JSON.stringify('{"data":1}')]);
  expect(after.mpParsed).toEqual([['addMaterial', { id: 1, s: '= & % # + 中文 😀' }]]);
  expect(after.mpErrors).toEqual([]);
});

test('over Redis (the two old clients on two relay instances) the bytes are the same as on the old relay', async () => {
  const old = await startOldRelay();
  stops.push(() => old.close());
  const before = await conversation(`ws://127.0.0.1:${old.port}/socket`);
  for (const stop of stops.splice(0).reverse()) await stop();

  const redisPrefix = onRedis.prefix();
  const a = await onRedis.start({ redisPrefix, resumeWaitMs: 100 });
  const b = await onRedis.start({ redisPrefix, resumeWaitMs: 100 });
  expect(await conversation(a.url(), b.url())).toEqual(before);
});

function ourClient(relay: Relay, env: string): SocketClient {
  // Our clients encode the token: `+` is %2B, which the relay reads as the old clients' raw `+`.
  const client = new SocketClient({ ...FAST, transport: wxSocketTransport({}, wx), target: `${relay.url()}?token=${encodeURIComponent(TOKEN)}&env=${env}` });
  stops.push(() => client.destroy());
  client.connect();
  return client;
}

test('a migrated H5 page (our client) and the old mini program client, both directions, no frame the old client never knew', async () => {
  const relay = await startRelay();
  stops.push(() => relay.close({ graceMs: 50 }));
  const mp = oldMp(relay.url());
  const ours = ourClient(relay, 'h5');
  const notes: unknown[] = [];
  const texts: unknown[] = [];
  const froms: unknown[] = [];
  ours.subscribe('note', (data, frame) => (notes.push(data), froms.push((frame as { from?: string }).from)));
  ours.subscribe('raw', (data) => texts.push(data));
  await waitFor(() => ours.state === 'open' && mp.opens === 1, 5000, 'both open');
  await sleep(150);

  ours.emit('addMaterial', { id: 2 });
  const reliable = ours.emit('note', 'x', { reliable: true });
  ours.send({ type: 'addMaterial', data: { id: 3 }, to: 'miniapp' });
  await expect(reliable.delivered).resolves.toBeUndefined(); // the relay acks for an old peer
  await waitFor(() => mp.received.length === 3, 5000, 'three frames at the old client');
  expect(mp.received).toEqual([['addMaterial', { id: 2 }], ['note', 'x'], ['addMaterial', { id: 3 }]]);
  // Exactly the old relay's shape: the {type,data} text, stringified once more; no seq, from, to or id.
  expect(mp.raw[2]).toBe(JSON.stringify('{"type":"addMaterial","data":{"id":3}}'));
  expect(mp.errors).toEqual([]); // no hello, presence, ack or pong reached it

  mp.sendText('{"type":"note","data":{"n":1}}');
  mp.onSend();
  await waitFor(() => notes.length === 1 && texts.length === 1, 5000, 'the old client\'s frames at ours');
  expect(notes).toEqual([{ n: 1 }]);
  expect(froms).toEqual(['miniapp']);
  expect(texts).toEqual(['这是小程序消息']);
  expect(mp.raw).toHaveLength(3);
});

/** `hybrid-kit serve` as a child process, on `port` (0 = any). */
async function serve(port: number): Promise<{ child: ChildProcess; port: number }> {
  const bin = path.resolve(__dirname, '../../bin/hybrid-kit.js');
  const child = spawn(process.execPath, [bin, 'serve', '--port', String(port), '--resume-wait', '100'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const bound = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk;
      const m = /listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) resolve(Number(m[1]));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
  return { child, port: bound };
}

function sigkill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

test('old clients ⇄ our relay across a SIGKILL and restart of the relay', async () => {
  let served = await serve(0);
  stops.push(() => sigkill(served.child));
  const base = `ws://127.0.0.1:${served.port}/socket`;
  const { mp, h5 } = oldPair(base);
  await waitFor(() => mp.opens === 1 && h5.opens === 1, 8000, 'both old clients open');
  await sleep(150);
  h5.send('addMaterial', { n: 1 });
  await waitFor(() => mp.received.length === 1, 5000, 'before the restart');

  await sigkill(served.child);
  served = await serve(served.port);
  await waitFor(() => mp.opens === 2 && h5.opens === 2 && h5.open, 10_000, 'both old clients back');
  await sleep(150);
  h5.send('addMaterial', { n: 2 });
  mp.sendText('{"type":"ack-from-mp","data":2}');
  await waitFor(() => mp.received.length === 2 && h5.raw.length === 1, 5000, 'after the restart');
  expect(mp.received).toEqual([['addMaterial', { n: 1 }], ['addMaterial', { n: 2 }]]);
  expect(h5.raw).toEqual([JSON.stringify('{"type":"ack-from-mp","data":2}')]);
  expect(mp.errors).toEqual([]);
});

test('our clients pair with the old relay (legacyRelay) and with its old clients; nothing of our protocol reaches it', async () => {
  const old = await startOldRelay();
  stops.push(() => old.close());
  const mp = oldMp(`ws://127.0.0.1:${old.port}/socket`);
  // The old relay reads `+` as a space, like its own clients' raw tokens: our client encodes that space.
  const ours = new SocketClient({ ...FAST, legacyRelay: true, transport: wxSocketTransport({}, wx), target: `${old.url(encodeURIComponent('pa ir/1='), 'h5')}` });
  stops.push(() => ours.destroy());
  const notes: unknown[] = [];
  ours.subscribe('note', (data) => notes.push(data));
  ours.connect();
  await waitFor(() => ours.state === 'open' && mp.opens === 1, 5000, 'both open');
  expect(wx.urls.find((u) => u.includes('env=h5'))).not.toMatch(/[?&]v=/);

  ours.send({ type: 'addMaterial', data: { id: 9 } });
  await waitFor(() => mp.received.length === 1, 5000, 'our frame at the old client');
  expect(mp.received).toEqual([['addMaterial', { id: 9 }]]);
  mp.sendText('{"type":"note","data":"back"}');
  await waitFor(() => notes.length === 1, 5000, 'the old client\'s frame at ours');
  expect(notes).toEqual(['back']);
  await sleep(100);
  expect(old.seen.map((t) => JSON.parse(t).type)).toEqual(['addMaterial', 'note']); // no resume, ping or ack
  expect(mp.errors).toEqual([]);
});
