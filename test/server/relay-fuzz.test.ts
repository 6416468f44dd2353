/**
 * Property-based fuzz of the relay over real sockets (fast-check, fixed seed). Two honest clients
 * (miniapp and h5 on token A) exchange numbered messages while attackers (a third env on token A,
 * another on token B) send 2,400 generated hostile frames: random text, JSON with `__proto__` /
 * `constructor` keys, valid frames with fields replaced by junk, lone surrogates, deep nesting,
 * near-limit and over-limit sizes, binary and invalid UTF-8, batch messages of all that (some past
 * the frame count). Every honest message arrives exactly
 * once and in order, nothing crosses tokens, the attackers only get error frames or a documented
 * close, and a fresh pair still works at the end. Counts, not timings.
 */
import { BATCH_MAX_FRAMES, BATCH_SEPARATOR } from '../../src/core/batch';
import fc from 'fast-check';
import { ERROR_CODES } from '../../src/core/errors';
import { LIMITS } from '../../src/core/limits';
import { AnyFrame, closeAll, Relay, settle, startRelay, TestClient } from './helpers';

jest.setTimeout(60_000);

const SEED = 42;
const HOSTILE = 2400;
const HONEST = 300; // per direction
const ROUNDS = 30;
/** Close codes docs/protocol.md documents for a misbehaving client. */
const DOCUMENTED_CLOSES = [1002, 1007, 1009, 4008, 4009];
const NONCE_A = 'honest-a-7f3c9e'; // never produced by the generators

type Hostile = { kind: 'text'; text: string } | { kind: 'binary'; bytes: Buffer } | { kind: 'badUtf8'; bytes: Buffer };

const junk = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', '\ud800', '\udc00x', '', 'miniapp', 'h5', 'evil', '../h5'),
  fc.integer(),
  fc.double(),
  fc.constant(null),
  fc.boolean(),
);
const key = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString', 'type', 'to', 'from', 'seq', 'id'), fc.string({ maxLength: 8 }));
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    junk,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  ),
})).value;
const types = fc.constantFrom('message', 'request', 'response', 'custom', 'ping', 'pong', 'resume', 'ack', 'hello', 'presence', 'error', 'stream', '__proto__', '');
const validFrame = fc.oneof(
  fc.record({ type: fc.constant('message'), id: fc.string({ minLength: 1, maxLength: 10 }), data: json }),
  fc.record({ type: fc.constant('request'), id: fc.string({ minLength: 1, maxLength: 10 }), api: fc.string({ minLength: 1, maxLength: 10 }), params: json }),
  fc.record({ type: fc.constant('ping'), ts: fc.integer() }),
  fc.record({ type: fc.constant('resume'), lastSeq: fc.integer({ min: 0, max: 10 }) }),
  fc.record({ type: fc.constant('custom'), data: json }),
);
/** A valid frame with some fields replaced by junk (or added, including `__proto__`). */
const mutatedFrame = fc
  .tuple(validFrame, fc.array(fc.tuple(key, fc.oneof(junk, types, json)), { minLength: 1, maxLength: 3 }))
  .map(([frame, edits]) => {
    let text = JSON.stringify(frame).slice(0, -1);
    for (const [k, v] of edits) text += `,${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`;
    return text + '}';
  });
const deep = fc.integer({ min: LIMITS.maxDepth - 2, max: 300 }).map((n) => `{"type":"message","data":${'['.repeat(n)}${']'.repeat(n)}}`);
const nearLimit = fc.integer({ min: -64, max: 64 }).map((d) => {
  const head = '{"type":"message","data":"';
  return head + 'x'.repeat(Math.max(0, LIMITS.maxFrameBytes - head.length - 2 + d)) + '"}';
});
/** Batch messages (core/batch.ts) of valid, mutated and junk frames, some past the frame count. */
const hostileBatch = fc.oneof(
  fc.array(fc.oneof(validFrame.map((f) => JSON.stringify(f)), mutatedFrame, fc.string({ unit: 'binary', maxLength: 20 })), { minLength: 1, maxLength: 6 })
    .map((texts) => BATCH_SEPARATOR + texts.join(BATCH_SEPARATOR)),
  fc.integer({ min: BATCH_MAX_FRAMES - 1, max: BATCH_MAX_FRAMES + 40 }).map((n) => (BATCH_SEPARATOR + '{"type":"ping"}').repeat(n)),
);
const hostile: fc.Arbitrary<Hostile> = fc.oneof(
  { arbitrary: fc.string({ unit: 'binary', maxLength: 60 }).map((text) => ({ kind: 'text' as const, text })), weight: 3 },
  { arbitrary: fc.json().map((text) => ({ kind: 'text' as const, text })), weight: 2 },
  { arbitrary: json.map((v) => ({ kind: 'text' as const, text: JSON.stringify(v) ?? 'null' })), weight: 2 },
  { arbitrary: validFrame.map((f) => ({ kind: 'text' as const, text: JSON.stringify(f) })), weight: 2 },
  { arbitrary: mutatedFrame.map((text) => ({ kind: 'text' as const, text })), weight: 4 },
  { arbitrary: deep.map((text) => ({ kind: 'text' as const, text })), weight: 1 },
  { arbitrary: fc.uint8Array({ maxLength: 40 }).map((a) => ({ kind: 'binary' as const, bytes: Buffer.from(a) })), weight: 1 },
  { arbitrary: fc.constant({ kind: 'badUtf8' as const, bytes: Buffer.from([0x7b, 0xc3, 0x28, 0xff, 0x7d]) }), weight: 1 },
  { arbitrary: nearLimit.map((text) => ({ kind: 'text' as const, text })), weight: 1 },
  { arbitrary: hostileBatch.map((text) => ({ kind: 'text' as const, text })), weight: 2 },
);

/** Frames after which the relay must close the socket. */
function fatal(h: Hostile): boolean {
  return h.kind === 'badUtf8' || (h.kind === 'text' && Buffer.byteLength(h.text) > LIMITS.maxFrameBytes);
}

const TOKEN_A = 'fuzz-a';
const TOKEN_B = 'fuzz-b';
let relay: Relay;
const clients: TestClient[] = [];

beforeAll(async () => {
  // Rate limit off (the attacker would otherwise spend the run reconnecting); a large backlog so
  // hostile broadcasts do not push honest frames out before they are confirmed.
  relay = await startRelay({ ratePerSecond: 0, backlogItems: 100_000, backlogBytes: 512 * 1024 * 1024 });
});
afterAll(async () => {
  await closeAll(clients);
  await relay.close();
});

async function open(token: string, env: string): Promise<TestClient> {
  const c = await TestClient.open(relay, token, env, 0);
  clients.push(c);
  return c;
}

/** An attacker that reconnects whenever the relay closes it, recording every answer and close. */
class Attacker {
  client!: TestClient;
  readonly closes: number[] = [];
  readonly errors: AnyFrame[] = [];
  expectedCloses = 0;
  sent = 0;
  private syncNo = 0;
  constructor(readonly token: string, readonly env: string) {}

  async connect(): Promise<void> {
    this.client = await open(this.token, this.env);
  }

  private harvest(): void {
    this.errors.push(...this.client.of('error'));
    if (this.client.closeCode !== null) this.closes.push(this.client.closeCode);
  }

  /** Sends a burst, then waits until the relay answered a ping after it (or closed the socket). */
  private async reopen(): Promise<void> {
    if (this.client.ws.readyState === this.client.ws.OPEN) return;
    await this.client.closed;
    this.harvest();
    await this.connect();
  }

  async burst(frames: Hostile[]): Promise<void> {
    for (const h of frames) {
      this.sent++;
      await this.reopen();
      if (h.kind === 'text') this.client.ws.send(h.text);
      else this.client.ws.send(h.bytes, { binary: h.kind === 'binary' });
      if (fatal(h)) {
        // Invalid UTF-8 (1007) or over the frame limit (1009): wait for the close so the frames
        // after it are not lost on a closing socket.
        this.expectedCloses++;
        await this.client.closed;
      }
    }
    await this.reopen(); // a burst may end with a frame that closed the socket
    const ts = 1e12 + ++this.syncNo;
    this.client.send({ type: 'ping', ts });
    const c = this.client;
    // `hello` is always recorded, so a closed socket resolves this at once.
    await c.next((f) => (f.type === 'pong' && f.ts === ts) || c.closeCode !== null, 20_000);
  }

  async finish(): Promise<void> {
    this.harvest();
  }
}

test(`relay survives ${HOSTILE} fuzzed hostile frames while ${2 * HONEST} honest messages arrive exactly once, in order`, async () => {
  const samples = fc.sample(hostile, { seed: SEED, numRuns: HOSTILE });
  expect(samples).toHaveLength(HOSTILE);

  const mp = await open(TOKEN_A, 'miniapp');
  const h5 = await open(TOKEN_A, 'h5');
  const sentinel = await open(TOKEN_B, 'miniapp');
  const evilA = new Attacker(TOKEN_A, 'evil');
  const evilB = new Attacker(TOKEN_B, 'evil');
  await evilA.connect();
  await evilB.connect();

  const honest = (f: AnyFrame) => f.type === 'message' && f.data && f.data.nonce === NONCE_A;
  const perRound = HONEST / ROUNDS;
  const hostilePerRound = HOSTILE / ROUNDS;
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < perRound; i++) {
      const n = r * perRound + i;
      mp.send({ type: 'message', id: `mp-${n}`, to: 'h5', data: { nonce: NONCE_A, from: 'miniapp', n } });
      h5.send({ type: 'message', id: `h5-${n}`, to: 'miniapp', data: { nonce: NONCE_A, from: 'h5', n } });
    }
    const batch = samples.slice(r * hostilePerRound, (r + 1) * hostilePerRound);
    const half = Math.ceil(batch.length / 2);
    await Promise.all([evilA.burst(batch.slice(0, half)), evilB.burst(batch.slice(half))]);
    const upTo = (r + 1) * perRound;
    await Promise.all([h5.count(honest, upTo, 20_000), mp.count(honest, upTo, 20_000)]);
    // Confirm what arrived so the backlog stays small.
    mp.send({ type: 'ping', lastSeq: mp.lastSeq });
    h5.send({ type: 'ping', lastSeq: h5.lastSeq });
  }
  await settle(200);
  await evilA.finish();
  await evilB.finish();

  // Every honest message exactly once, in order, from the right sender.
  for (const [client, from] of [[h5, 'miniapp'], [mp, 'h5']] as const) {
    const got = client.frames.filter(honest);
    expect(got.map((f) => f.data.n)).toEqual(Array.from({ length: HONEST }, (_, n) => n));
    expect(got.every((f) => f.data.from === from)).toBe(true);
    expect(client.closeCode).toBeNull();
    // Seqs the relay stamped stay strictly increasing despite the hostile traffic in between.
    const seqs = client.frames.filter((f) => typeof f.seq === 'number').map((f) => f.seq as number);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]);
  }
  // Every honest sender got its acks (one per id; nothing lost).
  for (const [client, prefix] of [[mp, 'mp-'], [h5, 'h5-']] as const) {
    const acks = new Set(client.of('ack').map((f) => f.id).filter((id) => typeof id === 'string' && id.startsWith(prefix)));
    expect(acks.size).toBe(HONEST);
  }

  // Nothing from token A reaches token B (the honest traffic carries a nonce no generator makes).
  for (const c of [sentinel, evilB.client]) {
    expect(c.frames.some((f) => JSON.stringify(f).indexOf(NONCE_A) >= 0)).toBe(false);
  }
  expect(evilA.client.frames.some((f) => JSON.stringify(f).indexOf(NONCE_A) >= 0)).toBe(false); // honest frames were addressed

  // Attackers: answered with error frames of known codes, closed only with documented codes.
  for (const a of [evilA, evilB]) {
    expect(a.errors.length).toBeGreaterThan(0);
    for (const e of a.errors) expect(ERROR_CODES as readonly string[]).toContain(e.code);
    for (const code of a.closes) expect(DOCUMENTED_CLOSES).toContain(code);
    // Exactly the frames that must close the socket did, and nothing else closed it.
    expect(a.closes).toHaveLength(a.expectedCloses);
    expect(a.client.closeCode).toBeNull();
  }
  expect(evilA.sent + evilB.sent).toBe(HOSTILE);
  expect([...evilA.errors, ...evilB.errors].some((e) => e.code === 'BAD_REQUEST')).toBe(true);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.keys(Object.prototype)).toEqual([]);

  // The relay still serves: a fresh pair on a new token exchanges a message both ways.
  const freshMp = await open('fuzz-fresh', 'miniapp');
  const freshH5 = await open('fuzz-fresh', 'h5');
  freshMp.send({ type: 'message', id: 'f1', data: { ok: 1 } });
  freshH5.send({ type: 'message', id: 'f2', data: { ok: 2 } });
  await freshH5.next((f) => f.type === 'message' && f.data && f.data.ok === 1);
  await freshMp.next((f) => f.type === 'message' && f.data && f.data.ok === 2);
  // eslint-disable-next-line no-console
  console.log(`relay fuzz: ${HOSTILE} hostile frames (${samples.filter(fatal).length} fatal), ${evilA.errors.length + evilB.errors.length} error frames, closes 1007×${[...evilA.closes, ...evilB.closes].filter((c) => c === 1007).length} 1009×${[...evilA.closes, ...evilB.closes].filter((c) => c === 1009).length}`);
});
