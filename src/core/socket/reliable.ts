import { HybridError } from '../errors';

export interface OutboxEntry {
  id: string;
  /** The message's `event` (reported with its outcome). */
  event: string;
  text: string;
  bytes: number;
  /** 0 until the frame went out on a live connection. */
  sentAt: number;
  attempts: number;
  /** Give up when still unacked at this time (ms, the client's clock); 0 = never. */
  expiresAt: number;
  /** Settles with the message's outcome: resolves on its ack, rejects when it is given up. */
  delivered: Promise<void>;
  settle(error?: HybridError): void;
  /** The relay holds it (its ack came); resent on a periodic timer only while false. */
  accepted: boolean;
  /** Resolves when accepted (or delivered), rejects when given up first. */
  acceptedPromise: Promise<void>;
  settleAccepted(error?: HybridError): void;
}

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
    const { promise, settle } = deliveryPromise();
    const accepted = deliveryPromise();
    const entry: OutboxEntry = {
      ...message, sentAt: 0, attempts: 0, delivered: promise, settle,
      accepted: false, acceptedPromise: accepted.promise, settleAccepted: accepted.settle,
    };
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

  constructor(private readonly capacity: number) {}

  /** True when `id` was seen before; otherwise records it. */
  check(id: string): boolean {
    if (this.seen.has(id)) return true;
    this.seen.add(id);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.values().next().value as string);
    return false;
  }

  get size(): number {
    return this.seen.size;
  }
}
