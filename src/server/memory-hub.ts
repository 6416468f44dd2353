/** Hub for one process: seq counters and backlogs in memory (bounded and time-limited). */
import { randomBytes } from 'crypto';
import { HybridError } from '../core/errors';
import { BacklogLimits, Removed, SeqBacklog } from './backlog';
import type { Connection } from './connection';
import { EnvTable } from './env-table';
import { Hub, HubRegistry, pairedEnv, Stamped, seqBase, stampFrame, tooManyEnvs } from './hub';
import type { RelayMetrics } from './metrics';
import type { Receipts } from './receipts';

interface EnvRecord {
  readonly env: string;
  seq: number;
  /** Created on first use: idle envs cost no queue. */
  backlog: SeqBacklog | null;
  touchedAt: number;
}

export interface MemoryHubLimits extends BacklogLimits {
  maxEnvsPerToken: number;
}

export class MemoryHub implements Hub {
  private readonly records = new EnvTable<EnvRecord>();
  /** This process: its memory is the store. */
  readonly storeId = randomBytes(8).toString('hex');

  constructor(
    private readonly registry: HubRegistry,
    private readonly limits: MemoryHubLimits,
    private readonly receipts: Pick<Receipts, 'delivered' | 'lost'>,
    private readonly metrics: Partial<Pick<RelayMetrics, 'replayed'>> = {},
    private readonly now: () => number = Date.now,
  ) {}

  async start(): Promise<void> {
    // Nothing to connect to.
  }

  join(conn: Connection, replacedLocal: boolean, done: (peers: string[]) => void): void {
    this.record(conn.key, conn.env);
    if (!replacedLocal) this.registry.presence(conn.key, conn.env, true);
    done(this.registry.envs(conn.key).filter((e) => e !== conn.env));
  }

  leave(conn: Connection, gone: boolean): void {
    const rec = this.records.get(conn.key, conn.env);
    if (rec) rec.touchedAt = this.now();
    if (gone) this.registry.presence(conn.key, conn.env, false);
  }

  forward(key: string, from: string, to: string | undefined, tail: string, done: (err: HybridError | null) => void, id = ''): void {
    const envs = this.records.list(key);
    if (to !== undefined && envs.length >= this.limits.maxEnvsPerToken && !this.records.get(key, to)) {
      done(tooManyEnvs(this.limits.maxEnvsPerToken));
      return;
    }
    // Targets are visited in place (no list per frame): `to`, else every other env, plus the paired one.
    // One clock read per forwarded frame, shared by every target.
    const now = this.now();
    let count = 0;
    if (to !== undefined) {
      this.stampAndDeliver(key, to, this.record(key, to, now), tail, now, from, id);
      count = 1;
    } else {
      let pairedKnown = false;
      const paired = pairedEnv(from);
      for (const rec of envs) {
        if (rec.env === paired) pairedKnown = true;
        if (rec.env === from) continue;
        rec.touchedAt = now;
        this.stampAndDeliver(key, rec.env, rec, tail, now, from, id);
        count++;
      }
      if (paired && !pairedKnown) {
        this.stampAndDeliver(key, paired, this.record(key, paired, now), tail, now, from, id);
        count++;
      }
    }
    done(count ? null : new HybridError('OFFLINE', 'no other env of this token is known yet; name one with "to"'));
  }

  replay(key: string, env: string, after: number | null, done: (frames: Stamped[]) => void): void {
    const rec = this.records.get(key, env);
    if (!rec || !rec.backlog) {
      done([]);
      return;
    }
    const now = this.now();
    this.expire(key, env, rec.backlog, now);
    // Only a `resume` confirms. Without one every frame still held goes again (written to a socket
    // is not read: the client drops the seqs it already has).
    if (after !== null) this.confirmed(key, env, rec.backlog.trim(after));
    const ages: number[] = [];
    const frames = rec.backlog.after(after ?? 0, now, ages);
    if (this.metrics.replayed) for (const age of ages) this.metrics.replayed(age);
    done(frames);
  }

  confirm(key: string, env: string, lastSeq: number): void {
    const backlog = this.records.get(key, env)?.backlog;
    if (backlog) this.confirmed(key, env, backlog.trim(lastSeq));
  }

  sweep(now: number): void {
    for (const [key, recs] of this.records.entries()) {
      for (const rec of recs) {
        if (rec.backlog) this.expire(key, rec.env, rec.backlog, now);
        const idle = !this.registry.get(key, rec.env) && now - rec.touchedAt > this.limits.backlogTtlMs && !rec.backlog?.length;
        if (idle) this.records.delete(key, rec);
      }
    }
  }

  async close(): Promise<void> {
    this.records.clear();
  }

  /** Number of token+env records (tests and metrics). */
  get size(): number {
    let n = 0;
    for (const [, recs] of this.records.entries()) n += recs.length;
    return n;
  }

  private stampAndDeliver(key: string, env: string, rec: EnvRecord, tail: string, now: number, from: string, id: string): void {
    const seq = ++rec.seq;
    const text = stampFrame(seq, tail);
    if (!rec.backlog) rec.backlog = new SeqBacklog(this.limits);
    const removed = rec.backlog.push(seq, text, now, from, id);
    if (removed.count || removed.expired) this.lost(key, env, removed);
    this.registry.deliver(key, env, seq, text);
  }

  private record(key: string, env: string, now: number = this.now()): EnvRecord {
    let rec = this.records.get(key, env);
    if (!rec) this.records.set(key, (rec = { env, seq: seqBase(now), backlog: null, touchedAt: now }));
    else rec.touchedAt = now;
    return rec;
  }

  private confirmed(key: string, env: string, removed: Removed): void {
    if (removed.origins.length) this.receipts.delivered(key, env, removed.origins);
  }

  private expire(key: string, env: string, backlog: SeqBacklog, now: number): void {
    const expired = backlog.expire(now);
    if (expired.count) this.receipts.lost(key, env, expired.count, expired.origins, 'expired');
  }

  /** Frames pushed out unconfirmed (overflow), and those that expired on the way. */
  private lost(key: string, env: string, removed: Removed): void {
    if (removed.expired) this.receipts.lost(key, env, removed.expired.count, removed.expired.origins, 'expired');
    const overflow = removed.count;
    if (overflow) this.receipts.lost(key, env, overflow, removed.origins, 'items');
  }
}
