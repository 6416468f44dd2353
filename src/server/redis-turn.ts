/**
 * The Redis hub's per-turn batches: the frames forwarded and the confirmations received in one turn
 * of the event loop go to Redis in one FORWARD call (frames stamped in that order) and one CONFIRM
 * call. Per-frame calls made the client's command overhead and Redis round trips the bottleneck;
 * receivers confirm once per turn each, so one CONFIRM call per confirmation outnumbered the
 * FORWARD calls about 8 to 1 under load.
 */
import { HybridError } from '../core/errors';
import type { Origin } from './backlog';
import { pairedEnv, seqBase, tooManyEnvs } from './hub';
import type { RelayLogger, RelayOptions } from './options';
import type { Receipts } from './receipts';
import type { ScriptRunner } from './redis-client';

/** Frames per FORWARD call at most: a bigger turn is split, so one script never blocks Redis long. */
export const MAX_BATCH_FRAMES = 512;

type Done = (err: HybridError | null) => void;
type TurnOptions = Pick<RelayOptions, 'backlogItems' | 'backlogTtlMs' | 'maxEnvsPerToken'>;

export class RedisTurn {
  /** Frames of this turn: 6 script arguments and one callback each. */
  private args: string[] = [];
  private callbacks: Done[] = [];
  /** Confirmations of this turn, the highest lastSeq per key+env. */
  private confirms = new Map<string, { key: string; env: string; lastSeq: number }>();
  private scheduled = false;
  private readonly flushSoon = () => this.flush();

  constructor(
    private readonly scripts: ScriptRunner,
    private readonly options: TurnOptions,
    private readonly receipts: Pick<Receipts, 'lost' | 'counted'>,
    private readonly log: RelayLogger,
  ) {}

  forward(key: string, from: string, to: string | undefined, tail: string, done: Done, id = ''): void {
    const paired = to === undefined ? pairedEnv(from) || '' : '';
    this.args.push(key, from, to ?? '', tail, paired, id);
    this.callbacks.push(done);
    if (this.callbacks.length >= MAX_BATCH_FRAMES) this.flushForwards();
    else this.schedule();
  }

  confirm(key: string, env: string, lastSeq: number): void {
    const id = key + '\n' + env;
    const known = this.confirms.get(id);
    if (!known) this.confirms.set(id, { key, env, lastSeq });
    else if (lastSeq > known.lastSeq) known.lastSeq = lastSeq;
    this.schedule();
  }

  /** Sends what this turn holds (also on close, so nothing waits for a turn that never comes). */
  flush(): void {
    this.scheduled = false;
    this.flushForwards();
    this.flushConfirms();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flushSoon);
  }

  private flushForwards(): void {
    const { args, callbacks } = this;
    if (!callbacks.length) return;
    this.args = [];
    this.callbacks = [];
    const o = this.options;
    const now = Date.now();
    const head = [String(now), String(o.backlogItems), String(o.backlogTtlMs), String(o.maxEnvsPerToken), String(seqBase(now))];
    this.scripts.run('FORWARD', head.concat(args)).then(
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

  /** One CONFIRM call for every key+env confirmed in this turn; the script sends the `delivered` notices. */
  private flushConfirms(): void {
    if (!this.confirms.size) return;
    const now = Date.now();
    const args = [String(now), String(this.options.backlogTtlMs), String(seqBase(now))];
    for (const { key, env, lastSeq } of this.confirms.values()) args.push(key, env, String(lastSeq));
    this.confirms = new Map();
    this.scripts.run('CONFIRM', args).then(
      (count) => this.receipts.counted(Number(count)),
      (err) => this.log.error(`hybrid-kit redis confirm: ${(err as Error).message}`),
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
}

/** FORWARD returns the number of targets, or -1 when `to` would exceed the env limit of the token. */
function forwardResult(count: number, maxEnvs: number): HybridError | null {
  if (count > 0) return null;
  if (count < 0) return tooManyEnvs(maxEnvs);
  return new HybridError('OFFLINE', 'no other env of this token is known yet; name one with "to"');
}
