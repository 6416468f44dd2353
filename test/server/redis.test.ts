import { startRedis, TestRedis } from '../helpers/redis';
import * as path from 'path';
import { createClient } from 'redis';
import type { Connection } from '../../src/server/connection';
import type * as RedisHubModule from '../../src/server/redis-hub';
import { closeAll, DIST_SERVER, redisRelays, Relay, server, settle, startRelay, TestClient } from './helpers';

// Generous safety limit for loaded CI machines; the tests assert counts, not speed.
jest.setTimeout(20000);

const onRedis = redisRelays();

/** Two instances on different ports sharing one Redis (each test gets its own key prefix). */
async function twoInstances(options: Parameters<typeof startRelay>[0] = {}): Promise<[Relay, Relay, string]> {
  const redisPrefix = onRedis.prefix();
  const a = await onRedis.start({ redisPrefix, ...options });
  const b = await onRedis.start({ redisPrefix, ...options });
  expect(a.address()!.port).not.toBe(b.address()!.port);
  return [a, b, redisPrefix];
}

describe('scale-out over Redis', () => {
  test('h5 on one instance and miniapp on another talk both ways, with presence and acks', async () => {
    const [a, b] = await twoInstances();
    const mp = await TestClient.open(b, 'x1', 'miniapp', 0);
    const h5 = await TestClient.open(a, 'x1', 'h5', 0);
    expect(h5.frames[0]).toMatchObject({ type: 'hello', peers: ['miniapp'], receipts: true });
    // Both instances name the same store (accepted frames live in Redis, not in either process).
    expect(h5.frames[0].store).toMatch(/^[0-9a-f]{16}$/);
    expect(mp.frames[0].store).toBe(h5.frames[0].store);
    expect(await mp.next((f) => f.type === 'presence')).toEqual({ type: 'presence', env: 'h5', online: true });
    h5.send({ type: 'message', id: 'm1', data: 'a → b' });
    expect(await h5.next((f) => f.type === 'ack')).toEqual({ type: 'ack', id: 'm1' });
    expect(await mp.next((f) => f.type === 'message')).toMatchObject({ id: 'm1', data: 'a → b', from: 'h5' });
    mp.send({ type: 'request', id: 'r1', api: 'getInfo' });
    expect(await h5.next((f) => f.type === 'request')).toMatchObject({ id: 'r1', from: 'miniapp' });
    h5.send({ type: 'response', id: 'r1', ok: true, data: 7 });
    expect(await mp.next((f) => f.type === 'response')).toMatchObject({ id: 'r1', data: 7, from: 'h5' });
    h5.send({ type: 'addMaterial', data: { n: 1 } });
    expect(await mp.next((f) => f.type === 'addMaterial')).toMatchObject({ data: { n: 1 } });
    await h5.close();
    expect(await mp.next((f) => f.type === 'presence' && !f.online)).toEqual({ type: 'presence', env: 'h5', online: false });
    await mp.close();
  });

  test('a new connection on another instance replaces the old one (4500)', async () => {
    const [a, b] = await twoInstances();
    const mp = await TestClient.open(a, 'x2', 'miniapp', 0);
    const h5old = await TestClient.open(a, 'x2', 'h5', 0);
    const h5new = await TestClient.open(b, 'x2', 'h5', 0);
    expect(await h5old.waitClose()).toBe(4500);
    mp.send({ type: 'message', data: 'to the new one' });
    await h5new.next((f) => f.type === 'message');
    await settle();
    expect(h5old.of('message')).toHaveLength(0);
    await closeAll([mp, h5new]);
  });

  test('order, seq and isolation hold across instances (20 tokens)', async () => {
    const [a, b] = await twoInstances({ ratePerSecond: 0 });
    const pairs = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      const token = `iso${i}`;
      return { token, mp: await TestClient.open(a, token, 'miniapp', 0), h5: await TestClient.open(b, token, 'h5', 0) };
    }));
    for (const { token, h5 } of pairs) for (let n = 0; n < 10; n++) h5.send({ type: 'message', data: { token, n } });
    for (const { token, mp } of pairs) {
      const got = await mp.count((f) => f.type === 'message', 10);
      expect(got.map((f) => f.data)).toEqual(Array.from({ length: 10 }, (_, n) => ({ token, n })));
      for (let i = 1; i < got.length; i++) expect(got[i].seq).toBe(got[i - 1].seq + 1);
    }
    await settle();
    for (const { mp } of pairs) expect(mp.of('message')).toHaveLength(10);
    await closeAll(pairs.flatMap((p) => [p.mp, p.h5]));
  });

  test('the backlog lives in Redis: it survives the restart of the instance the peer was on', async () => {
    const [a, b, redisPrefix] = await twoInstances();
    let mp = await TestClient.open(b, 'x3', 'miniapp', 0);
    const h5 = await TestClient.open(a, 'x3', 'h5', 0);
    h5.send({ type: 'message', data: 0 });
    await mp.next((f) => f.type === 'message');
    const lastSeq = mp.lastSeq;
    // Instance b goes down: its clients are told to reconnect.
    const down = onRedis.close(b);
    expect(await mp.waitClose()).toBe(1001);
    await down;
    for (let i = 1; i <= 4; i++) h5.send({ type: 'message', id: `w${i}`, data: i });
    await h5.count((f) => f.type === 'ack', 4);
    // A fresh instance (new process state, same Redis) takes b's place.
    const b2 = await onRedis.start({ redisPrefix });
    mp = await TestClient.open(b2, 'x3', 'miniapp', lastSeq);
    expect(mp.frames[0]).toMatchObject({ type: 'hello', peers: ['h5'] });
    const replayed = await mp.count((f) => f.type === 'message', 4);
    expect(replayed.map((f) => f.data)).toEqual([1, 2, 3, 4]);
    h5.send({ type: 'message', data: 'after restart' });
    await mp.next((f) => f.data === 'after restart');
    mp.send({ type: 'message', data: 'back to a' });
    await h5.next((f) => f.data === 'back to a');
    await settle();
    expect(mp.of('message').map((f) => f.data)).toEqual([1, 2, 3, 4, 'after restart']);
    await closeAll([mp, h5]);
  });

  test('a reconnect that moves to the other instance replays from lastSeq, nothing lost or doubled', async () => {
    const [a, b] = await twoInstances({ ratePerSecond: 0 });
    const h5 = await TestClient.open(a, 'x4', 'h5', 0);
    const instances = [a, b];
    let mp = await TestClient.open(b, 'x4', 'miniapp', 0);
    const received: unknown[] = [];
    let lastSeq = 0;
    const collect = (c: TestClient) => {
      for (const f of c.frames) {
        if (f.type !== 'message') continue;
        expect(f.seq).toBeGreaterThan(lastSeq);
        received.push(f.data);
        lastSeq = f.seq;
      }
    };
    let sent = 0;
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 25; i++) h5.send({ type: 'message', data: sent++ });
      await settle(round % 2 ? 0 : 20);
      await mp.close();
      collect(mp);
      mp = await TestClient.open(instances[round % 2], 'x4', 'miniapp', lastSeq);
    }
    await settle(300);
    collect(mp);
    expect(received).toEqual(Array.from({ length: 100 }, (_, i) => i));
    await closeAll([mp, h5]);
  });

  test('"to" cannot add envs past maxEnvsPerToken', async () => {
    const [a] = await twoInstances({ maxEnvsPerToken: 2 });
    const h5 = await TestClient.open(a, 'x5', 'h5', 0);
    h5.send({ type: 'message', id: 'ok', data: 1, to: 'miniapp' });
    await h5.next((f) => f.type === 'ack');
    h5.send({ type: 'message', id: 'no', data: 1, to: 'third' });
    expect(await h5.next((f) => f.type === 'error')).toMatchObject({ code: 'QUEUE_FULL', id: 'no' });
    await h5.close();
  });

  test('a socket that closes while joining leaves no ghost presence behind', async () => {
    const [a, b] = await twoInstances();
    const ghost = new TestClient(`${a.url()}?token=x6&env=h5`);
    await ghost.opened;
    ghost.ws.terminate();
    await settle(100);
    const mp = await TestClient.open(b, 'x6', 'miniapp', 0);
    expect(mp.frames[0]).toMatchObject({ type: 'hello', peers: [] });
    await mp.close();
  });

  test('/healthz reports Redis mode', async () => {
    const [a] = await twoInstances();
    expect(a.metrics().connections).toBe(0);
    const res = await fetch(`http://127.0.0.1:${a.address()!.port}/healthz`);
    expect(await res.json()).toMatchObject({ status: 'ok', redis: true });
  });

  // Last: it stops the shared redis-server.
  test('while Redis is away a message is refused with OFFLINE (no ack), so the sender keeps it', async () => {
    const [a] = await twoInstances();
    const mp = await TestClient.open(a, 'x7', 'miniapp', 0);
    const h5 = await TestClient.open(a, 'x7', 'h5', 0);
    h5.send({ type: 'message', id: 'up', data: 1 });
    await mp.next((f) => f.type === 'message');
    await onRedis.redis.stop();
    await settle(100);
    h5.send({ type: 'message', id: 'down', data: 2 });
    expect(await h5.next((f) => f.type === 'error')).toMatchObject({ code: 'OFFLINE', id: 'down' });
    expect(h5.of('ack').map((f) => f.id)).toEqual(['up']);
    await closeAll([mp, h5]);
  });
});

describe('Redis hub batching', () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { RedisHub, MAX_BATCH_FRAMES } = require(path.join(DIST_SERVER, 'redis-hub')) as typeof RedisHubModule;
  // Its own server: the scale-out tests above end by stopping theirs.
  let own: TestRedis;
  beforeAll(async () => {
    own = await startRedis();
  });
  afterAll(() => own.stop());

  /** Calls of each command Redis has run (commands run by scripts included). */
  async function commandCalls(url: string): Promise<Record<string, number>> {
    const client = createClient({ url });
    await client.connect();
    const info = await client.info('commandstats');
    await client.close();
    const calls: Record<string, number> = {};
    for (const m of info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) calls[m[1]] = Number(m[2]);
    return calls;
  }

  test('the frames of one turn go out in one FORWARD call per batch and one PUBLISH per key, in order', async () => {
    const delivered: Array<{ env: string; seq: number; text: string }> = [];
    const registry = {
      deliver: (_key: string, env: string, seq: number, text: string) => void delivered.push({ env, seq, text }),
      presence() {},
      joined() {},
      get: () => undefined,
      envs: () => ['miniapp'],
    };
    const options = server.resolveOptions({ redisUrl: own.url, redisPrefix: onRedis.prefix(), backlogItems: 5000 });
    const hub = new RedisHub(registry, options, { counted() {}, lost() {} }, { info() {}, warn() {}, error() {} });
    await hub.start();
    const receiver = { key: 'batch', env: 'miniapp', state: 'live', joinNo: 0, sentSeq: 0 } as unknown as Connection;
    await new Promise<string[]>((resolve) => hub.join(receiver, false, resolve));

    const frames = MAX_BATCH_FRAMES * 2 + 10;
    let before: Record<string, number>, after: Record<string, number>;
    const results: Array<unknown> = [];
    try {
      before = await commandCalls(own.url);
      const allDone = new Promise<void>((resolve) => {
        for (let n = 0; n < frames; n++) {
          // A client may send pretty-printed JSON: its newlines must survive the batch encoding.
          const tail = `"from":"h5","type":"message",\n"data":{"n":${n}}}`;
          hub.forward('batch', 'h5', undefined, tail, (err) => {
            results.push(err);
            if (results.length === frames) resolve();
          });
        }
      });
      await allDone;
      const deadline = Date.now() + 5000;
      while (delivered.length < frames && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      after = await commandCalls(own.url);
    } finally {
      await hub.close();
    }
    expect(results.filter((r) => r !== null)).toEqual([]);
    const batches = Math.ceil(frames / MAX_BATCH_FRAMES);
    expect((after.evalsha || 0) - (before.evalsha || 0)).toBe(batches);
    expect((after.publish || 0) - (before.publish || 0)).toBe(batches);
    expect(delivered).toHaveLength(frames);
    expect(delivered.map((d) => JSON.parse(d.text).data.n)).toEqual(Array.from({ length: frames }, (_, n) => n));
    for (let i = 1; i < frames; i++) expect(delivered[i].seq).toBe(delivered[i - 1].seq + 1);
    expect(new Set(delivered.map((d) => d.env))).toEqual(new Set(['miniapp']));
  });

  test('the confirmations of one turn go out in one CONFIRM call: the highest lastSeq per key+env, one delivered notice per sender', async () => {
    const delivered: Array<{ key: string; env: string; seq: number; text: string }> = [];
    const counted: number[] = [];
    const registry = {
      deliver: (key: string, env: string, seq: number, text: string) => void delivered.push({ key, env, seq, text }),
      presence() {},
      joined() {},
      get: () => undefined,
      envs: () => ['miniapp'],
    };
    const options = server.resolveOptions({ redisUrl: own.url, redisPrefix: onRedis.prefix(), backlogItems: 5000 });
    const hub = new RedisHub(registry, options, { counted: (n: number) => void counted.push(n), lost() {} }, { info() {}, warn() {}, error() {} });
    await hub.start();
    try {
      for (const key of ['c1', 'c2']) {
        for (const env of ['miniapp', 'h5']) {
          const conn = { key, env, state: 'live', joinNo: 0, sentSeq: 0 } as unknown as Connection;
          await new Promise<string[]>((resolve) => hub.join(conn, false, resolve));
        }
      }
      const sent = (key: string, n: number) =>
        new Promise<void>((resolve) => hub.forward(key, 'h5', 'miniapp', `"from":"h5","type":"message","id":"${key}-${n}","data":${n}}`, () => resolve(), `${key}-${n}`));
      await Promise.all([0, 1, 2, 3].flatMap((n) => [sent('c1', n), sent('c2', n)]));
      await waitUntil(() => delivered.length === 8);
      const seqs = (key: string) => delivered.filter((d) => d.key === key).map((d) => d.seq);
      const before = await commandCalls(own.url);
      // One turn: c1 confirmed three times (its third frame is the highest), c2 once (all four).
      hub.confirm('c1', 'miniapp', seqs('c1')[0]);
      hub.confirm('c1', 'miniapp', seqs('c1')[2]);
      hub.confirm('c1', 'miniapp', seqs('c1')[1]);
      hub.confirm('c2', 'miniapp', seqs('c2')[3]);
      await waitUntil(() => delivered.length === 10);
      const after = await commandCalls(own.url);
      expect((after.evalsha || 0) - (before.evalsha || 0)).toBe(1);
      const notices = delivered.slice(8).map((d) => ({ key: d.key, env: d.env, frame: JSON.parse(d.text) }));
      expect(notices).toEqual([
        { key: 'c1', env: 'h5', frame: expect.objectContaining({ from: 'miniapp', type: 'delivered', ids: ['c1-0', 'c1-1', 'c1-2'] }) },
        { key: 'c2', env: 'h5', frame: expect.objectContaining({ from: 'miniapp', type: 'delivered', ids: ['c2-0', 'c2-1', 'c2-2', 'c2-3'] }) },
      ]);
      await waitUntil(() => counted.reduce((a, b) => a + b, 0) === 7);
    } finally {
      await hub.close();
    }
  });

  test('frames go only to the instance holding the target env (routed by presence), not to every instance of the key', async () => {
    const make = (name: string, got: string[]) => {
      const registry = {
        deliver: (_key: string, env: string, _seq: number, text: string) => void got.push(`${name}:${env}:${JSON.parse(text).data}`),
        presence() {},
        joined() {},
        get: () => undefined,
        envs: () => [],
      };
      const options = server.resolveOptions({ redisUrl: own.url, redisPrefix: prefix });
      return new RedisHub(registry, options, { counted() {}, lost() {} }, { info() {}, warn() {}, error() {} });
    };
    const prefix = onRedis.prefix();
    const gotA: string[] = [];
    const gotB: string[] = [];
    const a = make('A', gotA);
    const b = make('B', gotB);
    await Promise.all([a.start(), b.start()]);
    try {
      const join = (hub: typeof a, env: string) =>
        new Promise<string[]>((resolve) => hub.join({ key: 'route', env, state: 'live', joinNo: 0, sentSeq: 0 } as unknown as Connection, false, resolve));
      await join(a, 'h5');
      await join(b, 'miniapp');
      const send = (hub: typeof a, from: string, to: string, n: number) =>
        new Promise<unknown>((resolve) => hub.forward('route', from, to, `"from":"${from}","type":"message","data":${n}}`, resolve));
      for (let n = 0; n < 5; n++) await send(a, 'h5', 'miniapp', n);
      await send(b, 'miniapp', 'h5', 99);
      await waitUntil(() => gotB.length === 5 && gotA.length === 1);
      await new Promise((r) => setTimeout(r, 100));
      expect(gotB).toEqual([0, 1, 2, 3, 4].map((n) => `B:miniapp:${n}`));
      expect(gotA).toEqual(['A:h5:99']);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('a pairing key with newlines, record separators, quotes and non-ASCII reaches its own connection intact', async () => {
    const keys = ['a\nb', 'x\x1ey\x1f', 'q"\\"/', 'é😀\u2028', 'plain'];
    const got: Array<[string, string, number]> = [];
    const registry = {
      deliver: (key: string, env: string, _seq: number, text: string) => void got.push([key, env, JSON.parse(text).data]),
      presence() {},
      joined() {},
      get: () => undefined,
      envs: () => [],
    };
    const options = server.resolveOptions({ redisUrl: own.url, redisPrefix: onRedis.prefix() });
    const hub = new RedisHub(registry, options, { counted() {}, lost() {} }, { info() {}, warn() {}, error() {} });
    await hub.start();
    try {
      for (const key of keys) {
        await new Promise<string[]>((resolve) => hub.join({ key, env: 'miniapp', state: 'live', joinNo: 0, sentSeq: 0 } as unknown as Connection, false, resolve));
      }
      // One turn: every key's frame in the same FORWARD call and the same channel message.
      await Promise.all(keys.map((key, n) => new Promise((resolve) => hub.forward(key, 'h5', undefined, `"from":"h5","type":"message","data":${n}}`, resolve))));
      await waitUntil(() => got.length === keys.length);
      expect(got).toEqual(keys.map((key, n) => [key, 'miniapp', n]));
    } finally {
      await hub.close();
    }
  });

  async function waitUntil(done: () => boolean): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(done()).toBe(true);
  }
});
