/**
 * Batch messages at the relay (src/server/intake.ts, src/core/batch.ts), over real sockets: each
 * frame of a batch is taken as if it came alone (same decode, limits, rate limit, acks), in order;
 * a batch past the frame count is refused whole; an old client's text is never read as a batch.
 */
import { WebSocket } from 'ws';
import { BATCH_MAX_FRAMES, BATCH_SEPARATOR, isBatch, splitBatch } from '../../src/core/batch';
import { closeAll, socketUrl, startRelay, TestClient, type Relay } from './helpers';

const batch = (frames: unknown[]) => frames.map((f) => BATCH_SEPARATOR + (typeof f === 'string' ? f : JSON.stringify(f))).join('');
const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

let relay: Relay | undefined;
afterEach(async () => {
  if (relay) await relay.close({ graceMs: 50 });
  relay = undefined;
});

test('hello offers batches; each frame of a batch is routed and acked in order, a bad one refused alone with its error', async () => {
  relay = await startRelay();
  const mp = await TestClient.open(relay, 'b1', 'miniapp', 0);
  const h5 = await TestClient.open(relay, 'b1', 'h5', 0);
  expect(h5.frames[0]).toMatchObject({ type: 'hello', batch: { frames: BATCH_MAX_FRAMES, bytes: relay.options.maxFrameBytes } });
  h5.send(batch([
    { type: 'message', id: 'a', event: 'n', data: 1 },
    'not json',
    { type: 'message', id: 'b', event: 'n', data: '二' },
    { type: 'hello', id: 'h' },
    { type: 'message', id: 'c', event: 'n', data: 3 },
  ]));
  await mp.next(() => mp.of('message').length === 3);
  expect(mp.of('message').map((f) => [f.id, f.data, f.from])).toEqual([['a', 1, 'h5'], ['b', '二', 'h5'], ['c', 3, 'h5']]);
  await h5.next(() => h5.of('ack').length === 3 && h5.of('error').length === 2);
  expect(h5.of('ack').map((f) => f.id)).toEqual(['a', 'b', 'c']);
  expect(h5.of('error').map((f) => [f.code, f.id])).toEqual([['BAD_REQUEST', undefined], ['BAD_REQUEST', 'h']]);
  expect(relay.metrics().messagesReceived).toBeGreaterThanOrEqual(5 + 2); // per frame (and the two resumes)
  await closeAll([mp, h5]);
});

test(`a batch of more than ${BATCH_MAX_FRAMES} frames is refused whole with BAD_REQUEST; ${BATCH_MAX_FRAMES} pass`, async () => {
  relay = await startRelay({ ratePerSecond: 0, backlogItems: 1000 });
  const mp = await TestClient.open(relay, 'b2', 'miniapp', 0);
  const h5 = await TestClient.open(relay, 'b2', 'h5', 0);
  const frames = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ type: 'message', event: tag, data: i }));
  h5.send(batch(frames(BATCH_MAX_FRAMES + 1, 'over')));
  await h5.next((f) => f.type === 'error');
  expect(h5.of('error')).toEqual([expect.objectContaining({ code: 'BAD_REQUEST', message: expect.stringContaining(`${BATCH_MAX_FRAMES} frames`) })]);
  h5.send(batch(frames(BATCH_MAX_FRAMES, 'full')));
  await mp.next(() => mp.of('message').length === BATCH_MAX_FRAMES);
  await settle();
  expect(mp.of('message').every((f) => f.event === 'full')).toBe(true);
  expect(mp.of('message').map((f) => f.data)).toEqual(Array.from({ length: BATCH_MAX_FRAMES }, (_, i) => i));
  await closeAll([mp, h5]);
});

test('the rate limit counts every frame of a batch', async () => {
  relay = await startRelay({ ratePerSecond: 1, rateBurst: 3 });
  const mp = await TestClient.open(relay, 'b3', 'miniapp');
  const h5 = await TestClient.open(relay, 'b3', 'h5');
  h5.send(batch(Array.from({ length: 5 }, (_, i) => ({ type: 'message', id: `r${i}`, data: i }))));
  await h5.next(() => h5.of('error').length === 2);
  // mp never sent resume: it is served live once the relay's resume wait (100 ms) is over.
  await mp.next(() => mp.of('message').length >= 3);
  await settle();
  expect(h5.of('error').map((f) => [f.code, f.id])).toEqual([['RATE_LIMITED', 'r3'], ['RATE_LIMITED', 'r4']]);
  expect(mp.of('message').map((f) => f.id)).toEqual(['r0', 'r1', 'r2']);
  await closeAll([mp, h5]);
});

test("an old relay's client (no v) sending text that starts with U+001E gets it relayed as raw text, not split", async () => {
  relay = await startRelay();
  const url = (env: string) => `ws://127.0.0.1:${relay!.address()!.port}/socket?token=b4&env=${env}`;
  const mp = new TestClient(url('miniapp'), {}, { legacy: true });
  const h5 = new TestClient(url('h5'), {}, { legacy: true });
  await Promise.all([mp.opened, h5.opened]);
  await settle();
  const text = batch([{ type: 'note', data: 1 }, { type: 'note', data: 2 }]);
  h5.send(text);
  await mp.next(() => mp.frames.length === 1);
  // The old relay's clients get JSON.stringify(text): one parse gives the text back whole, as the old relay sent it.
  expect(mp.frames[0]).toBe(text);
  await closeAll([mp, h5]);
});

/** A raw socket of ours that asks for batches in its opening resume and keeps every WebSocket message as it came. */
async function batchReader(r: Relay, token: string, env: string, askBatch = true): Promise<{ ws: WebSocket; raw: string[] }> {
  const ws = new WebSocket(socketUrl(r, token, env));
  const raw: string[] = [];
  ws.on('message', (data) => raw.push(data.toString()));
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  ws.send(JSON.stringify(askBatch ? { type: 'resume', lastSeq: 0, batch: true } : { type: 'resume', lastSeq: 0 }));
  return { ws, raw };
}

const framesOf = (raw: string[]) => raw.flatMap((m) => (isBatch(m) ? splitBatch(m, BATCH_MAX_FRAMES) : [m])).map((t) => JSON.parse(t));

test('a client whose opening resume says batch: true gets the frames of one turn as one batch message, in order; others never get one', async () => {
  relay = await startRelay({ ratePerSecond: 0, backlogItems: 1000 });
  const asks = await batchReader(relay, 'b5', 'miniapp');
  const plain = await batchReader(relay, 'b5', 'kiosk', false);
  const h5 = await TestClient.open(relay, 'b5', 'h5', 0);
  await settle();
  const before = { asks: asks.raw.length, plain: plain.raw.length };
  // 300 messages in one batch: one turn at the relay, forwarded to both readers.
  for (let part = 0; part < 3; part++) h5.send(batch(Array.from({ length: 100 }, (_, i) => ({ type: 'message', event: 'n', data: part * 100 + i }))));
  await waitUntil(() => framesOf(asks.raw).filter((f) => f.type === 'message').length === 300 && plain.raw.length - before.plain >= 300);
  await settle();
  const got = framesOf(asks.raw).filter((f) => f.type === 'message');
  expect(got.map((f) => f.data)).toEqual(Array.from({ length: 300 }, (_, i) => i));
  for (let i = 1; i < got.length; i++) expect(got[i].seq).toBeGreaterThan(got[i - 1].seq);
  const batches = asks.raw.slice(before.asks).filter(isBatch);
  expect(batches.length).toBeGreaterThan(0);
  expect(asks.raw.length - before.asks).toBeLessThanOrEqual(300 / 2); // far fewer messages than frames
  for (const m of batches) expect(splitBatch(m, BATCH_MAX_FRAMES).length).toBeLessThanOrEqual(BATCH_MAX_FRAMES);
  expect(plain.raw.some(isBatch)).toBe(false);
  expect(plain.raw.slice(before.plain).map((t) => JSON.parse(t).data)).toEqual(Array.from({ length: 300 }, (_, i) => i));
  asks.ws.close();
  plain.ws.close();
  await closeAll([h5]);
});

async function waitUntil(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
