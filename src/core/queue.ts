import { HybridError } from './errors';

export type OverflowPolicy = 'drop-oldest' | 'drop-newest' | 'reject';

export interface BoundedQueueOptions {
  /** Most items held; default 1000. */
  maxItems?: number;
  /** Most bytes held (as measured by the caller); default 1 MiB. */
  maxBytes?: number;
  /** What happens when an item does not fit; default 'drop-oldest'. */
  overflow?: OverflowPolicy;
  /** Clock for TTLs (ms); default Date.now. */
  now?: () => number;
}

export interface EnqueueOptions {
  /** Size of the item in bytes; default 0. */
  bytes?: number;
  /** Time to live in ms from now; expired items are skipped, never delivered. */
  ttl?: number;
}

export interface EnqueueResult<T> {
  /** Whether the new item is in the queue. */
  accepted: boolean;
  /** Items pushed out to make room (drop-oldest), or the new item itself (drop-newest). */
  dropped: T[];
}

interface Entry<T> {
  item: T;
  bytes: number;
  expiresAt: number;
}

/**
 * A FIFO bounded by item count and bytes, with an overflow policy and optional per-item TTL.
 * 'reject' throws QUEUE_FULL and leaves the queue untouched, so nothing already accepted is lost.
 */
export class BoundedQueue<T> {
  private entries: Entry<T>[] = [];
  private byteTotal = 0;
  /** No entry expires before this time: pruning is skipped until then (most queues have no TTLs). */
  private earliestExpiry = Infinity;
  readonly maxItems: number;
  readonly maxBytes: number;
  readonly overflow: OverflowPolicy;
  private readonly now: () => number;

  constructor(options: BoundedQueueOptions = {}) {
    this.maxItems = options.maxItems ?? 1000;
    this.maxBytes = options.maxBytes ?? 1024 * 1024;
    this.overflow = options.overflow ?? 'drop-oldest';
    this.now = options.now ?? Date.now;
    if (!(this.maxItems >= 1)) throw new RangeError(`maxItems must be >= 1 (got ${this.maxItems})`);
    if (!(this.maxBytes >= 1)) throw new RangeError(`maxBytes must be >= 1 (got ${this.maxBytes})`);
    if (['drop-oldest', 'drop-newest', 'reject'].indexOf(this.overflow) < 0) {
      throw new RangeError(`unknown overflow policy "${this.overflow}"`);
    }
  }

  get length(): number {
    return this.entries.length;
  }

  get bytes(): number {
    return this.byteTotal;
  }

  push(item: T, options: EnqueueOptions = {}): EnqueueResult<T> {
    const bytes = options.bytes ?? 0;
    // NaN or negative sizes would corrupt the byte total (and make drop-oldest empty the queue).
    if (!(bytes >= 0 && bytes !== Infinity)) throw new HybridError('BAD_REQUEST', `item size must be a finite number >= 0 (got ${bytes})`);
    if (options.ttl !== undefined && !(options.ttl >= 0)) throw new HybridError('BAD_REQUEST', `ttl must be a number >= 0 (got ${options.ttl})`);
    const expiresAt = options.ttl !== undefined ? this.now() + options.ttl : Infinity;
    this.pruneExpired();
    if (bytes > this.maxBytes) {
      // Can never fit, whatever we drop.
      if (this.overflow === 'reject') {
        throw new HybridError('PAYLOAD_TOO_LARGE', `item of ${bytes} bytes exceeds the queue limit of ${this.maxBytes} bytes`);
      }
      return { accepted: false, dropped: [item] };
    }
    const fits = () => this.entries.length < this.maxItems && this.byteTotal + bytes <= this.maxBytes;
    if (!fits()) {
      if (this.overflow === 'reject') {
        throw new HybridError('QUEUE_FULL', `queue full (${this.entries.length} items, ${this.byteTotal} bytes)`);
      }
      if (this.overflow === 'drop-newest') return { accepted: false, dropped: [item] };
    }
    const dropped: T[] = [];
    while (!fits()) dropped.push(this.removeAt(0));
    this.entries.push({ item, bytes, expiresAt });
    if (expiresAt < this.earliestExpiry) this.earliestExpiry = expiresAt;
    this.byteTotal += bytes;
    return { accepted: true, dropped };
  }

  /** The oldest live item, removed; undefined when empty. Expired items are skipped. */
  shift(): T | undefined {
    this.pruneExpired();
    return this.entries.length ? this.removeAt(0) : undefined;
  }

  peek(): T | undefined {
    this.pruneExpired();
    return this.entries.length ? this.entries[0].item : undefined;
  }

  /** Removes and returns every live item, oldest first. */
  drain(): T[] {
    this.pruneExpired();
    const items = this.entries.map((e) => e.item);
    this.entries = [];
    this.byteTotal = 0;
    return items;
  }

  /** Puts items back at the front (e.g. a flush that stopped half way), ignoring limits. */
  unshift(items: T[], bytesOf: (item: T) => number = () => 0): void {
    const front = items.map((item) => ({ item, bytes: bytesOf(item), expiresAt: Infinity }));
    for (const e of front) this.byteTotal += e.bytes;
    this.entries = front.concat(this.entries);
  }

  /** Removes the items matching `predicate`; returns them. */
  removeWhere(predicate: (item: T) => boolean): T[] {
    return this.removeWhereEntry((e) => predicate(e.item));
  }

  /** Drops expired items; returns them so the caller can count or report them. */
  pruneExpired(): T[] {
    if (!this.entries.length) return [];
    const now = this.now();
    if (now < this.earliestExpiry) return [];
    const expired = this.removeWhereEntry((e) => e.expiresAt <= now);
    this.earliestExpiry = this.entries.reduce((min, e) => Math.min(min, e.expiresAt), Infinity);
    return expired;
  }

  clear(): T[] {
    return this.drain();
  }

  toArray(): T[] {
    return this.entries.map((e) => e.item);
  }

  private removeWhereEntry(predicate: (e: Entry<T>) => boolean): T[] {
    const set = this.entries.filter(predicate);
    if (!set.length) return [];
    this.entries = this.entries.filter((e) => !predicate(e));
    for (const e of set) this.byteTotal -= e.bytes;
    return set.map((e) => e.item);
  }

  private removeAt(index: number): T {
    const [e] = this.entries.splice(index, 1);
    this.byteTotal -= e.bytes;
    return e.item;
  }
}
