/**
 * Hub shared by several relay instances through Redis: pairing and presence in a hash per key,
 * seq counters and backlogs in Redis (so they survive an instance restart). Frames go through one
 * pub/sub channel per instance, routed by presence to the instance that holds the target env (an
 * instance never reads the frames of others); joins and leaves through one channel per pairing key
 * that an instance subscribes to while it holds a connection of that key. Every delivery, local
 * ones included, goes through Redis: one path, one order.
 * Frames and confirmations are sent in batches, one Lua call of each per event-loop turn (and one
 * PUBLISH per instance and batch): see redis-turn.ts. Connections and scripts: redis-client.ts.
 */
import { randomBytes } from 'crypto';
import type { HybridError } from '../core/errors';
import type { Connection } from './connection';
import type { Hub, HubRegistry, Stamped } from './hub';
import { seqBase } from './hub';
import type { Origin } from './backlog';
import type { Receipts } from './receipts';
import type { RelayLogger, RelayOptions } from './options';
import { closeRedis, connectRedis, RedisClient, ScriptRunner } from './redis-client';
import { RedisTurn } from './redis-turn';

export { MAX_BATCH_FRAMES } from './redis-turn';
/** Separates the frame records of one channel message (a control character: never in JSON text). */
const RECORD_SEPARATOR = '\x1e';

export class RedisHub implements Hub {
  readonly instanceId = randomBytes(8).toString('hex');
  storeId = '';
  private client!: RedisClient;
  private sub!: RedisClient;
  private scripts!: ScriptRunner;
  /** Forwards and confirmations of this turn (one FORWARD and one CONFIRM call per turn). */
  private turn!: RedisTurn;
  /** Pairing keys this instance is subscribed to. */
  private readonly channels = new Map<string, Promise<void>>();
  /** Unsubscribes in flight, per key. */
  private readonly unsubscribing = new Map<string, Promise<void>>();
  /** Highest join number seen per key+env, for a join reply that arrives after a newer join. */
  private readonly latestJoin = new Map<string, number>();
  /** Joins in flight: a leave waits for its join, so presence never outlives its connection. */
  private readonly joins = new WeakMap<Connection, Promise<void>>();
  private readonly p: string;
  private closed = false;

  constructor(
    private readonly registry: HubRegistry,
    private readonly options: RelayOptions,
    private readonly receipts: Pick<Receipts, 'lost' | 'counted'>,
    private readonly log: RelayLogger,
  ) {
    this.p = options.redisPrefix;
  }

  async start(): Promise<void> {
    ({ client: this.client, sub: this.sub } = await connectRedis(this.options.redisUrl!, (err) => this.log.error(`hybrid-kit redis: ${err.message}`)));
    this.scripts = new ScriptRunner(this.client, this.p);
    this.turn = new RedisTurn(this.scripts, this.options, this.receipts, this.log);
    await this.heartbeat();
    await this.scripts.load();
    await this.sub.subscribe(`${this.p}d:${this.instanceId}`, (message) => this.onFrames(message));
    // The first instance names the store; the name goes when Redis loses its data.
    const candidate = randomBytes(8).toString('hex');
    await this.client.sendCommand(['SET', `${this.p}store`, candidate, 'NX']);
    this.storeId = String(await this.client.sendCommand(['GET', `${this.p}store`]));
  }

  join(conn: Connection, _replacedLocal: boolean, done: (peers: string[]) => void): void {
    const { key, env } = conn;
    const o = this.options;
    const joined = this.subscribe(key)
      .then(() => {
        if (conn.state === 'closed') return;
        return this.scripts.run('JOIN', [key, env, this.instanceId, String(Date.now()), String(o.backlogTtlMs), String(this.presenceTtl())]).then((reply) => {
          const [joinNo, peers] = reply as [number, string[]];
          conn.joinNo = Number(joinNo);
          if ((this.latestJoin.get(key + '\n' + env) || 0) > conn.joinNo) this.registry.joined(key, env, Infinity);
          done(peers);
        });
      })
      .catch((err) => this.fail(conn, err));
    this.joins.set(conn, joined);
  }

  leave(conn: Connection, gone: boolean): void {
    const { key, env } = conn;
    (this.joins.get(conn) || Promise.resolve())
      .then(() => (gone ? this.scripts.run('LEAVE', [key, env, String(conn.joinNo)]) : undefined))
      .catch((err) => this.log.error(`hybrid-kit redis leave: ${(err as Error).message}`))
      .then(() => {
        if (!this.registry.envs(key).length) this.unsubscribe(key);
      });
  }

  forward(key: string, from: string, to: string | undefined, tail: string, done: (err: HybridError | null) => void, id = ''): void {
    this.turn.forward(key, from, to, tail, done, id);
  }

  replay(key: string, env: string, after: number | null, done: (frames: Stamped[]) => void): void {
    const now = Date.now();
    const ttl = this.options.backlogTtlMs;
    const args = [key, env, after === null ? '' : String(after), String(now - ttl), String(now), String(ttl), String(seqBase(now))];
    this.scripts.run('REPLAY', args).then(
      (reply) => {
        const [confirmed, flat, expired, expiredCount] = reply as [number, string[], string[], number];
        const frames: Stamped[] = [];
        for (let i = 0; i < flat.length; i += 2) frames.push([Number(flat[i]), flat[i + 1]]);
        this.receipts.counted(Number(confirmed));
        if (Number(expiredCount)) this.receipts.lost(key, env, Number(expiredCount), pairs(expired), 'expired');
        done(frames);
      },
      (err) => {
        this.log.error(`hybrid-kit redis replay: ${(err as Error).message}`);
        done([]);
      },
    );
  }

  /** Batched per turn; the script sends the `delivered` notices itself (atomically with the trim). */
  confirm(key: string, env: string, lastSeq: number): void {
    this.turn.confirm(key, env, lastSeq);
  }

  sweep(): void {
    if (this.closed) return;
    this.heartbeat().catch((err) => this.log.error(`hybrid-kit redis heartbeat: ${(err as Error).message}`));
    for (const key of this.channels.keys()) {
      this.client.sendCommand(['PEXPIRE', `${this.p}p:${key}`, String(this.presenceTtl())]).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.closed || !this.client) return;
    this.turn.flush();
    this.closed = true;
    await this.client.sendCommand(['DEL', `${this.p}i:${this.instanceId}`]).catch(() => undefined);
    await closeRedis([this.client, this.sub]);
  }

  /** Presence of an instance that stopped answering expires after three sweeps. */
  private presenceTtl(): number {
    return this.options.pingIntervalMs * 3;
  }

  private heartbeat(): Promise<unknown> {
    return this.client.sendCommand(['SET', `${this.p}i:${this.instanceId}`, '1', 'PX', String(this.presenceTtl())]);
  }

  /**
   * Subscribes once per key. A subscribe that follows an unsubscribe of the same key waits for it:
   * otherwise the client counted the channel as still subscribed, added the listener without a
   * SUBSCRIBE, and the UNSUBSCRIBE then in flight left the key deaf (frames stayed in the backlog).
   */
  private subscribe(key: string): Promise<void> {
    let ready = this.channels.get(key);
    if (!ready) {
      const channel = `${this.p}c:${key}`;
      const after = this.unsubscribing.get(key) || Promise.resolve();
      ready = after.then(() => this.sub.subscribe(channel, (message) => this.onKeyMessage(key, message)));
      this.channels.set(key, ready);
    }
    return ready;
  }

  private unsubscribe(key: string): void {
    const subscribed = this.channels.get(key);
    if (!subscribed || this.closed) return;
    this.channels.delete(key);
    for (const k of this.latestJoin.keys()) if (k.startsWith(key + '\n')) this.latestJoin.delete(k);
    const done: Promise<void> = subscribed
      .then(() => this.sub.unsubscribe(`${this.p}c:${key}`))
      .catch(() => undefined)
      .then(() => {
        if (this.unsubscribing.get(key) === done) this.unsubscribing.delete(key);
      });
    this.unsubscribing.set(key, done);
  }

  /** The key's channel: joins (replacement, presence) and leaves of its envs. */
  private onKeyMessage(key: string, message: string): void {
    const kind = message[0];
    const nl = message.indexOf('\n');
    const env = message.slice(1, nl < 0 ? undefined : nl);
    if (kind === 'j') {
      const [joinNo, isNew] = message.slice(nl + 1).split('\n');
      const n = Number(joinNo);
      const id = key + '\n' + env;
      if (n > (this.latestJoin.get(id) || 0)) this.latestJoin.set(id, n);
      this.registry.joined(key, env, n);
      if (isNew === '1') this.registry.presence(key, env, true);
    } else if (kind === 'l') {
      this.registry.presence(key, env, false);
    }
  }

  /**
   * This instance's channel: "f<env>\n<seq>\n<key as JSON>\n<frame>" records for the envs it
   * holds (Redis routes each frame by presence, so an instance never reads the frames of others).
   */
  private onFrames(message: string): void {
    let lastJson = '';
    let key = '';
    for (const record of message.split(RECORD_SEPARATOR)) {
      const nl = record.indexOf('\n');
      const nl2 = record.indexOf('\n', nl + 1);
      const nl3 = record.indexOf('\n', nl2 + 1);
      const keyJson = record.slice(nl2 + 1, nl3);
      if (keyJson !== lastJson) key = JSON.parse((lastJson = keyJson)) as string;
      this.registry.deliver(key, record.slice(1, nl), Number(record.slice(nl + 1, nl2)), record.slice(nl3 + 1));
    }
  }

  private fail(conn: Connection, err: unknown): void {
    if (conn.state === 'closed') return;
    this.log.error(`hybrid-kit redis join: ${(err as Error).message}`);
    conn.close(1011, 'relay storage unavailable');
  }
}

/** [sender, id, sender, id, …] → origins. */
function pairs(flat: string[]): Origin[] {
  const out: Origin[] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}
