/**
 * Hub shared by several relay instances through Redis: pairing and presence in a hash per key,
 * seq counters and backlogs in Redis (so they survive an instance restart), and delivery through
 * one pub/sub channel per pairing key that an instance subscribes to while it holds a connection
 * of that key. Every delivery, local ones included, goes through the channel: one path, one order.
 * Frames are forwarded in batches, one Lua call per event-loop turn (and one PUBLISH per key and
 * batch): per-frame calls made the client's command overhead and Redis round trips the bottleneck.
 */
import { randomBytes } from 'crypto';
import { HybridError } from '../core/errors';
import type { Connection } from './connection';
import { Hub, HubRegistry, pairedEnv, seqBase, Stamped, tooManyEnvs } from './hub';
import type { Origin } from './backlog';
import type { Receipts } from './receipts';
import type { RelayLogger, RelayOptions } from './options';
import { CONFIRM, FORWARD, JOIN, LEAVE, REPLAY } from './redis-scripts';

/** The few node-redis calls used here (the package is an optional peer dependency). */
interface RedisClient {
  connect(): Promise<unknown>;
  close(): Promise<void>;
  destroy(): void;
  readonly isReady: boolean;
  duplicate(): RedisClient;
  on(event: 'error', listener: (err: Error) => void): unknown;
  scriptLoad(script: string): Promise<string>;
  evalSha(sha: string, options: { keys?: string[]; arguments: string[] }): Promise<unknown>;
  sendCommand(args: string[]): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
}

const SCRIPTS = { CONFIRM, FORWARD, JOIN, LEAVE, REPLAY };
/** Frames per FORWARD call at most: a bigger turn is split, so one script never blocks Redis long. */
export const MAX_BATCH_FRAMES = 512;
/** Separates the frame records of one channel message (a control character: never in JSON text). */
const RECORD_SEPARATOR = '\x1e';
type ScriptName = keyof typeof SCRIPTS;

export class RedisHub implements Hub {
  readonly instanceId = randomBytes(8).toString('hex');
  storeId = '';
  private client!: RedisClient;
  private sub!: RedisClient;
  private readonly shas = new Map<ScriptName, string>();
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
  /** A script reload after Redis lost its cache; calls wait for it. */
  private reloading: Promise<void> | null = null;
  /** Frames forwarded in this turn: 5 script arguments and one callback each. */
  private batch: { args: string[]; callbacks: Array<(err: HybridError | null) => void> } = { args: [], callbacks: [] };
  private flushScheduled = false;
  private readonly flushSoon = () => this.flushForwards();

  constructor(
    private readonly registry: HubRegistry,
    private readonly options: RelayOptions,
    private readonly receipts: Pick<Receipts, 'lost' | 'counted'>,
    private readonly log: RelayLogger,
  ) {
    this.p = options.redisPrefix;
  }

  async start(): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { createClient } = require('redis') as { createClient(o: { url: string; disableOfflineQueue?: boolean }): RedisClient };
    // Fail fast while Redis is away: the sender gets OFFLINE (no ack) and resends, nothing hangs.
    this.client = createClient({ url: this.options.redisUrl!, disableOfflineQueue: true });
    this.sub = this.client.duplicate();
    for (const c of [this.client, this.sub]) c.on('error', (err) => this.log.error(`hybrid-kit redis: ${err.message}`));
    await Promise.all([this.client.connect(), this.sub.connect()]);
    await this.heartbeat();
    await this.loadScripts();
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
        return this.run('JOIN', [key, env, this.instanceId, String(Date.now()), String(o.backlogTtlMs), String(this.presenceTtl())]).then((reply) => {
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
      .then(() => this.run('LEAVE', [key, env, String(conn.joinNo), String(conn.sentSeq), String(this.options.backlogTtlMs), gone ? '1' : '0']))
      .catch((err) => this.log.error(`hybrid-kit redis leave: ${(err as Error).message}`))
      .then(() => {
        if (!this.registry.envs(key).length) this.unsubscribe(key);
      });
  }

  forward(key: string, from: string, to: string | undefined, tail: string, done: (err: HybridError | null) => void, id = ''): void {
    const paired = to === undefined ? pairedEnv(from) || '' : '';
    this.batch.args.push(key, from, to ?? '', tail, paired, id);
    this.batch.callbacks.push(done);
    if (this.batch.callbacks.length >= MAX_BATCH_FRAMES) this.flushForwards();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushSoon);
    }
  }

  /** Sends the frames of this turn to Redis in one FORWARD call (they are stamped in that order). */
  private flushForwards(): void {
    this.flushScheduled = false;
    const { args, callbacks } = this.batch;
    if (!callbacks.length) return;
    this.batch = { args: [], callbacks: [] };
    const o = this.options;
    const now = Date.now();
    const head = [String(now), String(o.backlogItems), String(o.backlogTtlMs), String(o.maxEnvsPerToken), String(seqBase(now))];
    this.run('FORWARD', head.concat(args)).then(
      (reply) => {
        const [counts, lost] = reply as [number[], string[]];
        for (let i = 0; i < callbacks.length; i++) callbacks[i](forwardResult(Number(counts[i]), o.maxEnvsPerToken));
        if (lost.length) this.reportOverflow(lost);
      },
      (err) => {
        const offline = new HybridError('OFFLINE', `relay storage unavailable: ${(err as Error).message}`);
        for (const done of callbacks) done(offline);
      },
    );
  }

  /** FORWARD's pushed-out frames (flat: key, env, sender, id), reported per target backlog. */
  private reportOverflow(flat: string[]): void {
    const byTarget = new Map<string, { key: string; env: string; count: number; origins: Origin[] }>();
    for (let i = 0; i < flat.length; i += 4) {
      const target = flat[i] + '\n' + flat[i + 1];
      let entry = byTarget.get(target);
      if (!entry) byTarget.set(target, (entry = { key: flat[i], env: flat[i + 1], count: 0, origins: [] }));
      entry.count++;
      if (flat[i + 3]) entry.origins.push([flat[i + 2], flat[i + 3]]);
    }
    for (const { key, env, count, origins } of byTarget.values()) this.receipts.lost(key, env, count, origins, 'items');
  }

  replay(key: string, env: string, after: number | null, done: (frames: Stamped[]) => void): void {
    const now = Date.now();
    const ttl = this.options.backlogTtlMs;
    const args = [key, env, after === null ? '' : String(after), String(now - ttl), String(now), String(ttl), String(seqBase(now))];
    this.run('REPLAY', args).then(
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

  confirm(key: string, env: string, lastSeq: number): void {
    const now = Date.now();
    const args = [key, env, String(lastSeq), String(now), String(this.options.backlogTtlMs), String(seqBase(now))];
    // The script sends the `delivered` notices itself (atomically with the trim): only count here.
    this.run('CONFIRM', args).then(
      (count) => this.receipts.counted(Number(count)),
      (err) => this.log.error(`hybrid-kit redis confirm: ${(err as Error).message}`),
    );
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
    this.flushForwards();
    this.closed = true;
    await this.client.sendCommand(['DEL', `${this.p}i:${this.instanceId}`]).catch(() => undefined);
    for (const c of [this.client, this.sub]) {
      // A client still trying to reach a lost Redis cannot close gracefully.
      if (c.isReady) await c.close().catch(() => c.destroy());
      else c.destroy();
    }
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
      ready = after.then(() => this.sub.subscribe(channel, (message) => this.onChannelMessage(key, message)));
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

  private onChannelMessage(key: string, message: string): void {
    const kind = message[0];
    const nl = message.indexOf('\n');
    const env = message.slice(1, nl < 0 ? undefined : nl);
    if (kind === 'f') {
      for (const record of message.split(RECORD_SEPARATOR)) this.deliverRecord(key, record);
    } else if (kind === 'j') {
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

  /** One "f<env>\n<seq>\n<frame>" record of a channel message. */
  private deliverRecord(key: string, record: string): void {
    const nl = record.indexOf('\n');
    const nl2 = record.indexOf('\n', nl + 1);
    this.registry.deliver(key, record.slice(1, nl), Number(record.slice(nl + 1, nl2)), record.slice(nl2 + 1));
  }

  /**
   * Runs a script by its SHA. Scripts are loaded once in start(): loading them on first use let a
   * batch waiting for SCRIPT LOAD be overtaken by a later batch that found the SHA cached.
   */
  private async run(name: ScriptName, args: string[]): Promise<unknown> {
    const argv = [this.p, ...args];
    if (this.reloading) await this.reloading;
    try {
      return await this.client.evalSha(this.shas.get(name)!, { arguments: argv });
    } catch (err) {
      if (!/NOSCRIPT/.test(String((err as Error).message))) throw err;
      // Redis restarted and lost its script cache: every call waits for one reload.
      if (!this.reloading) this.reloading = this.loadScripts().finally(() => (this.reloading = null));
      await this.reloading;
      return this.client.evalSha(this.shas.get(name)!, { arguments: argv });
    }
  }

  private async loadScripts(): Promise<void> {
    const names = Object.keys(SCRIPTS) as ScriptName[];
    const shas = await Promise.all(names.map((name) => this.client.scriptLoad(SCRIPTS[name])));
    names.forEach((name, i) => this.shas.set(name, shas[i]));
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

/** FORWARD returns the number of targets, or -1 when `to` would exceed the env limit of the token. */
function forwardResult(count: number, maxEnvs: number): HybridError | null {
  if (count > 0) return null;
  if (count < 0) return tooManyEnvs(maxEnvs);
  return new HybridError('OFFLINE', 'no other env of this token is known yet; name one with "to"');
}
