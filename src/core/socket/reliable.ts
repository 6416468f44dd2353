import { HybridError } from '../errors';

export interface OutboxEntry {
  id: string;
  text: string;
  bytes: number;
  /** 0 until the frame went out on a live connection. */
  sentAt: number;
  attempts: number;
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

  add(id: string, text: string, bytes: number): OutboxEntry {
    if (this.entries.size >= this.maxItems || this.byteTotal + bytes > this.maxBytes) {
      throw new HybridError('QUEUE_FULL', `${this.entries.size} reliable messages (${this.byteTotal} bytes) wait for an ack; limit ${this.maxItems} / ${this.maxBytes} bytes`);
    }
    const entry: OutboxEntry = { id, text, bytes, sentAt: 0, attempts: 0 };
    this.entries.set(id, entry);
    this.byteTotal += bytes;
    return entry;
  }

  /** Removes an acked message; false when the id is unknown (already acked, or not ours). */
  ack(id: string): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    this.entries.delete(id);
    this.byteTotal -= entry.bytes;
    return true;
  }

  /** Oldest first (Map keeps insertion order). */
  list(): OutboxEntry[] {
    return Array.from(this.entries.values());
  }

  /** Sent before `olderThan` and still unacked. */
  due(olderThan: number): OutboxEntry[] {
    return this.list().filter((e) => e.sentAt > 0 && e.sentAt <= olderThan);
  }
}

/** Remembers the last `capacity` ids seen, to drop duplicates of reliable messages. */
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
