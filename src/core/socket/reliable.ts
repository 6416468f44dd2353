import { HybridError } from '../errors';

/** A promise that settles once; a rejection nobody awaits is not reported as unhandled. */
export function deliveryPromise(): { promise: Promise<void>; settle(error?: HybridError): void } {
  let resolve!: () => void;
  let reject!: (err: HybridError) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, settle: (error) => (error ? reject(error) : resolve()) };
}

/** undefined: not settled yet; null: succeeded; an error: failed. */
type Outcome = HybridError | null | undefined;

/**
 * One outcome of a message (accepted, or delivered), settled once. Its promise is made only when
 * someone asks for it: most callers never read `accepted` or `delivered` (events say the same), and
 * two promises with their resolvers per message were the largest allocation on the send path.
 */
class LazyOutcome {
  private outcome: Outcome;
  private made: Promise<void> | undefined;
  private resolve: (() => void) | undefined;
  private reject: ((err: HybridError) => void) | undefined;

  get promise(): Promise<void> {
    if (!this.made) {
      this.made = new Promise<void>((resolve, reject) => {
        this.resolve = resolve;
        this.reject = reject;
      });
      this.made.catch(ignore);
      if (this.outcome !== undefined) this.finish();
    }
    return this.made;
  }

  settle(error?: HybridError): void {
    if (this.outcome !== undefined) return;
    this.outcome = error || null;
    if (this.made) this.finish();
  }

  private finish(): void {
    if (this.outcome) this.reject!(this.outcome);
    else this.resolve!();
  }
}

function ignore(): void {
  // A rejection nobody awaits is not reported as unhandled.
}

export class OutboxEntry {
  /** 0 until the frame went out on a live connection. */
  sentAt = 0;
  attempts = 0;
  /** The relay holds it (its ack came); resent on a periodic timer only while false. */
  accepted = false;
  private readonly deliveredOutcome = new LazyOutcome();
  private readonly acceptedOutcome = new LazyOutcome();

  constructor(
    readonly id: string,
    /** The message's `event` (reported with its outcome). */
    readonly event: string,
    readonly text: string,
    readonly bytes: number,
    /** Give up when still unacked at this time (ms, the client's clock); 0 = never. */
    readonly expiresAt: number,
  ) {}

  /** Settles with the message's outcome: resolves on its ack, rejects when it is given up. */
  get delivered(): Promise<void> {
    return this.deliveredOutcome.promise;
  }

  settle(error?: HybridError): void {
    this.deliveredOutcome.settle(error);
  }

  /** Resolves when accepted (or delivered), rejects when given up first. */
  get acceptedPromise(): Promise<void> {
    return this.acceptedOutcome.promise;
  }

  settleAccepted(error?: HybridError): void {
    this.acceptedOutcome.settle(error);
  }
}

/**
 * Reliable messages accepted by `send` and not yet acked. Never drops an entry to make room:
 * when full, the new message is refused (QUEUE_FULL) so nothing already accepted is lost.
 */
export class Outbox {
  private readonly entries = new Map<string, OutboxEntry>();
  private byteTotal = 0;

  constructor(private readonly maxItems: number, private readonly maxBytes: number) {}

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.byteTotal;
  }

  add(message: { id: string; event: string; text: string; bytes: number; expiresAt: number }): OutboxEntry {
    if (this.entries.size >= this.maxItems || this.byteTotal + message.bytes > this.maxBytes) {
      throw new HybridError('QUEUE_FULL', `${this.entries.size} reliable messages (${this.byteTotal} bytes) wait for an ack; limit ${this.maxItems} / ${this.maxBytes} bytes`);
    }
    const entry = new OutboxEntry(message.id, message.event, message.text, message.bytes, message.expiresAt);
    this.entries.set(message.id, entry);
    this.byteTotal += message.bytes;
    return entry;
  }

  get(id: string): OutboxEntry | undefined {
    return this.entries.get(id);
  }

  /** Removes a message (acked or given up); undefined when the id is unknown (already settled, or not ours). */
  remove(id: string): OutboxEntry | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    this.byteTotal -= entry.bytes;
    return entry;
  }

  /** Entries whose deadline is at or before `now`. */
  expired(now: number): OutboxEntry[] {
    return this.list().filter((e) => e.expiresAt > 0 && e.expiresAt <= now);
  }

  /** The earliest deadline, or undefined when no entry has one. */
  nextExpiry(): number | undefined {
    let next: number | undefined;
    for (const e of this.entries.values()) if (e.expiresAt > 0 && (next === undefined || e.expiresAt < next)) next = e.expiresAt;
    return next;
  }

  /** Oldest first (Map keeps insertion order). */
  list(): OutboxEntry[] {
    return Array.from(this.entries.values());
  }

  /** Sent before `olderThan`, not accepted by the relay and still unacked. */
  due(olderThan: number): OutboxEntry[] {
    return this.list().filter((e) => !e.accepted && e.sentAt > 0 && e.sentAt <= olderThan);
  }
}

/**
 * Remembers the last `capacity` ids seen, to drop duplicates of reliable messages. A sender resends
 * at most its unacked window (maxUnacked, 1000 by default) after a reconnect, so the default of
 * 5000 covers every copy that can come back.
 */
export class DedupeWindow {
  private readonly seen = new Set<string>();
  /** The ids in the order they were seen, as a ring: the oldest is forgotten without an iterator per message. */
  private readonly order: string[] = [];
  private next = 0;

  constructor(private readonly capacity: number) {}

  /** True when `id` was seen before; otherwise records it. */
  check(id: string): boolean {
    if (this.seen.has(id)) return true;
    this.seen.add(id);
    if (this.capacity <= 0) {
      this.seen.delete(id);
      return false;
    }
    if (this.order.length < this.capacity) this.order.push(id);
    else {
      this.seen.delete(this.order[this.next]);
      this.order[this.next] = id;
      this.next = (this.next + 1) % this.capacity;
    }
    return false;
  }

  get size(): number {
    return this.seen.size;
  }
}
