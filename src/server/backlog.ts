/**
 * The backlog of one token+env: stamped frames in seq order, bounded by count and bytes, each kept
 * for a fixed time. Why not core's BoundedQueue: this one sits on the hot path of every forwarded
 * frame, and its order (seq and time both increase) lets trimming by confirmed seq, expiry and
 * overflow all happen at the head in O(1) amortised, where a generic FIFO scans the whole queue.
 */
import type { Stamped } from './hub';

export interface BacklogLimits {
  backlogItems: number;
  backlogBytes: number;
  backlogTtlMs: number;
}

export class SeqBacklog {
  private seqs: number[] = [];
  private texts: string[] = [];
  private expiries: number[] = [];
  /** Index of the oldest live entry; the arrays are compacted once half of them is dead. */
  private head = 0;
  private bytes = 0;

  constructor(private readonly limits: BacklogLimits) {}

  get length(): number {
    return this.seqs.length - this.head;
  }

  /** Appends a frame (seq must grow); returns the seqs of frames pushed out to make room. */
  push(seq: number, text: string, now: number): number[] {
    this.expire(now);
    this.seqs.push(seq);
    this.texts.push(text);
    this.expiries.push(now + this.limits.backlogTtlMs);
    this.bytes += text.length;
    let dropped: number[] | null = null;
    while (this.length > 1 && (this.length > this.limits.backlogItems || this.bytes > this.limits.backlogBytes)) {
      (dropped || (dropped = [])).push(this.seqs[this.head]);
      this.shift();
    }
    this.compact();
    return dropped || NO_DROPS;
  }

  /** Forgets every frame with seq <= lastSeq (confirmed by the client). */
  trim(lastSeq: number): void {
    while (this.length && this.seqs[this.head] <= lastSeq) this.shift();
    this.compact();
  }

  /** Drops frames past their time; called on push, replay and sweep. */
  expire(now: number): void {
    while (this.length && this.expiries[this.head] <= now) this.shift();
    this.compact();
  }

  /** Live frames with seq > after, oldest first; `ages` (when given) gets each one's age in ms. */
  after(after: number, now: number, ages?: number[]): Stamped[] {
    this.expire(now);
    const out: Stamped[] = [];
    for (let i = this.head; i < this.seqs.length; i++) {
      if (this.seqs[i] <= after) continue;
      out.push([this.seqs[i], this.texts[i]]);
      if (ages) ages.push(now - (this.expiries[i] - this.limits.backlogTtlMs));
    }
    return out;
  }

  private shift(): void {
    this.bytes -= this.texts[this.head].length;
    this.texts[this.head] = '';
    this.head++;
  }

  private compact(): void {
    if (this.head === 0 || this.head * 2 < this.seqs.length) return;
    this.seqs = this.seqs.slice(this.head);
    this.texts = this.texts.slice(this.head);
    this.expiries = this.expiries.slice(this.head);
    this.head = 0;
  }
}

const NO_DROPS: number[] = [];
