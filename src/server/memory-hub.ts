/** Hub for one process: seq counters and backlogs in memory (bounded and time-limited). */
import { HybridError } from '../core/errors';
import { BacklogLimits, SeqBacklog } from './backlog';
import type { Connection } from './connection';
import { Hub, HubRegistry, PAIRED_ENV, Stamped, seqBase, stampFrame, tooManyEnvs } from './hub';
import type { RelayMetrics } from './metrics';

interface EnvRecord {
  seq: number;
  /** Highest seq written to a socket of this env (for clients that never send `resume`). */
  sentSeq: number;
  /** Created on first use: idle envs cost no queue. */
  backlog: SeqBacklog | null;
  touchedAt: number;
}

export interface MemoryHubLimits extends BacklogLimits {
  maxEnvsPerToken: number;
}

export class MemoryHub implements Hub {
  private readonly records = new Map<string, Map<string, EnvRecord>>();

  constructor(
    private readonly registry: HubRegistry,
    private readonly limits: MemoryHubLimits,
    private readonly metrics: Pick<RelayMetrics, 'drops'> & Partial<Pick<RelayMetrics, 'replayed'>>,
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
    const rec = this.records.get(conn.key)?.get(conn.env);
    if (rec) {
      rec.sentSeq = Math.max(rec.sentSeq, conn.sentSeq);
      rec.touchedAt = this.now();
    }
    if (gone) this.registry.presence(conn.key, conn.env, false);
  }

  forward(key: string, from: string, to: string | undefined, tail: string, done: (err: HybridError | null) => void): void {
    const envs = this.records.get(key);
    if (to !== undefined && !envs?.has(to) && (envs?.size || 0) >= this.limits.maxEnvsPerToken) {
      done(tooManyEnvs(this.limits.maxEnvsPerToken));
      return;
    }
    // Targets are visited in place (no list per frame): `to`, else every other env, plus the paired one.
    // One clock read per forwarded frame, shared by every target.
    const now = this.now();
    let count = 0;
    if (to !== undefined) {
      this.stampAndDeliver(key, to, this.record(key, to, now), tail, now);
      count = 1;
    } else {
      if (envs) {
        for (const [env, rec] of envs) {
          if (env === from) continue;
          rec.touchedAt = now;
          this.stampAndDeliver(key, env, rec, tail, now);
          count++;
        }
      }
      const paired = PAIRED_ENV[from];
      if (paired && !envs?.has(paired)) {
        this.stampAndDeliver(key, paired, this.record(key, paired, now), tail, now);
        count++;
      }
    }
    done(count ? null : new HybridError('OFFLINE', 'no other env of this token is known yet; name one with "to"'));
  }

  replay(key: string, env: string, after: number | null, done: (frames: Stamped[]) => void): void {
    const rec = this.records.get(key)?.get(env);
    if (!rec || !rec.backlog) {
      done([]);
      return;
    }
    const from = after ?? rec.sentSeq;
    rec.backlog.trim(from);
    const ages: number[] = [];
    const frames = rec.backlog.after(from, this.now(), ages);
    if (this.metrics.replayed) for (const age of ages) this.metrics.replayed(age);
    done(frames);
  }

  confirm(key: string, env: string, lastSeq: number): void {
    this.records.get(key)?.get(env)?.backlog?.trim(lastSeq);
  }

  sweep(now: number): void {
    for (const [key, envs] of this.records) {
      for (const [env, rec] of envs) {
        if (rec.backlog) rec.backlog.expire(now);
        const idle = !this.registry.get(key, env) && now - rec.touchedAt > this.limits.backlogTtlMs;
        if (idle) envs.delete(env);
      }
      if (!envs.size) this.records.delete(key);
    }
  }

  async close(): Promise<void> {
    this.records.clear();
  }

  /** Number of token+env records (tests and metrics). */
  get size(): number {
    let n = 0;
    for (const envs of this.records.values()) n += envs.size;
    return n;
  }

  private stampAndDeliver(key: string, env: string, rec: EnvRecord, tail: string, now: number): void {
    const seq = ++rec.seq;
    const text = stampFrame(seq, tail);
    this.store(key, env, rec, seq, text, now);
    this.registry.deliver(key, env, seq, text);
  }

  private record(key: string, env: string, now: number = this.now()): EnvRecord {
    let envs = this.records.get(key);
    if (!envs) this.records.set(key, (envs = new Map()));
    let rec = envs.get(env);
    if (!rec) envs.set(env, (rec = { seq: seqBase(now), sentSeq: 0, backlog: null, touchedAt: now }));
    else rec.touchedAt = now;
    return rec;
  }

  private store(key: string, env: string, rec: EnvRecord, seq: number, text: string, now: number): void {
    if (!rec.backlog) rec.backlog = new SeqBacklog(this.limits);
    const dropped = rec.backlog.push(seq, text, now);
    // Evicting frames a live connection already got is normal; evicting undelivered ones is a drop.
    if (dropped.length && this.registry.get(key, env)?.state !== 'live') this.metrics.drops.backlog_overflow += dropped.length;
  }
}
