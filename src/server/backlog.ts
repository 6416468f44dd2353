/**
 * The backlog of one token+env: stamped frames in seq order, bounded by count and bytes, each kept
 * for a fixed time. Why not core's BoundedQueue: this one sits on the hot path of every forwarded
 * frame, and its order (seq and time both increase) lets trimming by confirmed seq, expiry and
 * overflow all happen at the head in O(1) amortised, where a generic FIFO scans the whole queue.
 *
 * Each entry remembers its origin (sender env and reliable message id, '' when none), so that a
 * confirmation can become a `delivered` notice and a trim an `undelivered` report to the sender.
 */
import type { Stamped } from './hub';

export interface BacklogLimits {
  backlogItems: number;
  backlogBytes: number;
  backlogTtlMs: number;
}

/** Sender env and message id of a reliable frame. */
export type Origin = [from: string, id: string];

export class SeqBacklog {
  private seqs: number[] = [];
  private texts: string[] = [];
  private expiries: number[] = [];
  private froms: string[] = [];
  private ids: string[] = [];
  /** Index of the oldest live entry; the arrays are compacted once half of them is dead. */
  private head = 0;
  private bytes = 0;

  constructor(private readonly limits: BacklogLimits) {}

  get length(): number {
    return this.seqs.length - this.head;
  }

  /**
   * Appends a frame (seq must grow). Returns the origins of reliable frames pushed out to make
   * room (`dropped.count` counts every frame pushed out, reliable or not).
   */
  push(seq: number, text: string, now: number, from = '', id = ''): Removed {
    const expired = this.expire(now);
    this.seqs.push(seq);
    this.texts.push(text);
    this.expiries.push(now + this.limits.backlogTtlMs);
    this.froms.push(from);
    this.ids.push(id);
    this.bytes += text.length;
    let dropped: Removed | null = null;
    while (this.length > 1 && (this.length > this.limits.backlogItems || this.bytes > this.limits.backlogBytes)) {
      dropped = this.shiftInto(dropped || new Removed());
    }
    this.compact();
    if (expired.count) (dropped || (dropped = new Removed())).expired = expired;
    return dropped || NOTHING;
  }

  /** Forgets every frame with seq <= lastSeq (confirmed by the client); returns their origins. */
  trim(lastSeq: number): Removed {
    let out: Removed | null = null;
    while (this.length && this.seqs[this.head] <= lastSeq) out = this.shiftInto(out || new Removed());
    this.compact();
    return out || NOTHING;
  }

  /** Drops frames past their time (called on push, replay and sweep); returns what it dropped. */
  expire(now: number): Removed {
    let out: Removed | null = null;
    while (this.length && this.expiries[this.head] <= now) out = this.shiftInto(out || new Removed());
    this.compact();
    return out || NOTHING;
  }

  /** Live frames with seq > after, oldest first (expire first); `ages` (when given) gets each one's age in ms. */
  after(after: number, now: number, ages?: number[]): Stamped[] {
    const out: Stamped[] = [];
    for (let i = this.head; i < this.seqs.length; i++) {
      if (this.seqs[i] <= after) continue;
      out.push([this.seqs[i], this.texts[i]]);
      if (ages) ages.push(now - (this.expiries[i] - this.limits.backlogTtlMs));
    }
    return out;
  }

  private shiftInto(out: Removed): Removed {
    const h = this.head;
    out.count++;
    if (this.ids[h]) out.origins.push([this.froms[h], this.ids[h]]);
    this.bytes -= this.texts[h].length;
    this.texts[h] = '';
    this.head++;
    return out;
  }

  private compact(): void {
    if (this.head === 0 || this.head * 2 < this.seqs.length) return;
    this.seqs = this.seqs.slice(this.head);
    this.texts = this.texts.slice(this.head);
    this.expiries = this.expiries.slice(this.head);
    this.froms = this.froms.slice(this.head);
    this.ids = this.ids.slice(this.head);
    this.head = 0;
  }
}

/** Frames removed from a backlog: how many, and the origins of the reliable ones. */
export class Removed {
  count = 0;
  origins: Origin[] = [];
  /** On push: frames that expired first (reported apart from the overflow). */
  expired: Removed | null = null;
}

/** The shared empty result (never mutated: a result with entries is always a new object). */
const NOTHING: Removed = Object.freeze(Object.assign(new Removed(), { origins: Object.freeze([]) as unknown as Origin[] })) as Removed;
