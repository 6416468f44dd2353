/**
 * The sending side of reliable messages: each one waits in the outbox until it is delivered
 * (a delivered notice, or an ack from a peer or an old relay) and ends in exactly one `ack` or
 * `undelivered` event. With a relay that sends receipts its ack means accepted: the message is
 * then resent only when the relay comes back without the store that held it.
 */
import { Emitter } from '../emitter';
import { HybridError } from '../errors';
import { AckFrame, ErrorFrame, HelloFrame, MessageFrame } from '../frames';
import { EmitOptions, ReliableSendResult, SocketClientEvents, UndeliveredReason } from './client-types';
import { Outbound } from './outbound';
import { deliveryPromise, Outbox, OutboxEntry } from './reliable';
import { OneShot } from './timers';

/** emit()'s result for a message in the outbox: its promises are made only if read. */
class ReliableResult {
  readonly id: string;

  constructor(readonly status: 'sent' | 'queued', private readonly entry: OutboxEntry) {
    this.id = entry.id;
  }

  get delivered(): Promise<void> {
    return this.entry.delivered;
  }

  get accepted(): Promise<void> {
    return this.entry.acceptedPromise;
  }
}

export interface ReliableTimings {
  ackTimeout: number;
  deliveryTimeout: number;
}

export class ReliableSender {
  /** The relay of this connection sends receipts (its hello said so): no per-message peer acks. */
  receipts = false;
  /** The relay store named in the last hello (what it accepted survives while the name stays). */
  private store: string | undefined;
  private readonly ackTimer = new OneShot();
  /** Fires at the earliest deadline of a reliable message (ttl / deliveryTimeout). */
  private readonly expiryTimer = new OneShot();

  constructor(
    private readonly outbox: Outbox,
    private readonly out: Outbound,
    private readonly events: Emitter<SocketClientEvents>,
    private readonly timings: ReliableTimings,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.outbox.size;
  }

  get busy(): boolean {
    return this.ackTimer.armed || this.expiryTimer.armed;
  }

  /** The result for an id already waiting (emit with the same `options.id`), or undefined. */
  pending(id: string): ReliableSendResult | undefined {
    const entry = this.outbox.get(id);
    if (!entry) return undefined;
    return new ReliableResult(entry.sentAt ? 'sent' : 'queued', entry);
  }

  /** Takes a message frame (with its id, encoded as `text`) into the outbox and writes it when open. */
  emit(frame: MessageFrame & { id: string; event: string }, text: string, bytes: number, ttlOption: EmitOptions['ttl']): ReliableSendResult {
    const { id, event } = frame;
    const ttl = ttlOption ?? this.timings.deliveryTimeout;
    let entry: OutboxEntry;
    try {
      entry = this.outbox.add({ id, event, text, bytes, expiresAt: ttl > 0 ? this.now() + ttl : 0 });
    } catch (err) {
      const error = HybridError.from(err, 'QUEUE_FULL');
      const refused = deliveryPromise();
      refused.settle(error);
      this.events.emit('undelivered', { id, event, reason: 'refused', error });
      return { ...this.out.refuse(frame, error), id, delivered: refused.promise, accepted: refused.promise };
    }
    if (entry.expiresAt) this.scheduleExpiry();
    const sent = this.out.write(text);
    if (sent) this.markSent(entry);
    return new ReliableResult(sent ? 'sent' : 'queued', entry);
  }

  /** On open: messages the relay has not accepted go again now; accepted ones once hello says whether its store changed. */
  opened(): void {
    this.receipts = false;
    for (const entry of this.outbox.list()) if (!entry.accepted && this.out.write(entry.text)) this.markSent(entry);
  }

  /** A relay that restarted without its store (or an old relay) lost what it accepted: send it again (the peer dedupes). */
  onHello(frame: HelloFrame): void {
    this.receipts = frame.receipts === true;
    const sameStore = this.receipts && frame.store !== undefined && frame.store === this.store;
    this.store = frame.store;
    if (sameStore) return;
    for (const entry of this.outbox.list()) {
      if (!entry.accepted) continue;
      entry.accepted = false;
      if (this.out.write(entry.text)) this.markSent(entry);
    }
  }

  /** An ack: from the relay of this kit it means accepted; from a peer or an old relay, delivered. */
  onAck(frame: AckFrame): void {
    if (!this.receipts || frame.from !== undefined) return this.delivered(frame.id);
    const entry = this.outbox.get(frame.id);
    if (!entry || entry.accepted) return;
    entry.accepted = true;
    entry.settleAccepted();
    this.events.emit('accepted', { id: entry.id, event: entry.event });
  }

  /** The outcome of a reliable message: removed from the window, then exactly one event. */
  delivered(id: string): void {
    const entry = this.outbox.remove(id);
    if (!entry) return; // a late second ack, or not ours
    entry.settleAccepted();
    entry.settle();
    this.events.emit('ack', { id, event: entry.event });
    if (entry.expiresAt) this.scheduleExpiry();
  }

  /** An error frame naming a message: refused, or (stamped, with `from`) accepted and then let go. */
  failed(frame: ErrorFrame, error: HybridError): void {
    // A refused reliable message is final unless the refusal is temporary (rate limit): then the ack timer resends it.
    const entry = frame.code !== 'RATE_LIMITED' && frame.id !== undefined ? this.outbox.get(frame.id) : undefined;
    if (entry) this.giveUp(entry, (frame as { from?: string }).from !== undefined ? 'lost' : 'refused', error);
  }

  /** destroy(): every message still waiting ends as undelivered. */
  giveUpAll(error: HybridError): void {
    for (const entry of this.outbox.list()) this.giveUp(entry, 'destroyed', error);
    this.expiryTimer.clear();
  }

  stopTimers(): void {
    this.ackTimer.clear();
  }

  private giveUp(entry: OutboxEntry, reason: UndeliveredReason, error: HybridError): void {
    if (this.outbox.remove(entry.id) !== entry) return;
    entry.settleAccepted(error);
    entry.settle(error);
    this.events.emit('undelivered', { id: entry.id, event: entry.event, reason, error });
  }

  private markSent(entry: OutboxEntry): void {
    entry.sentAt = this.now();
    entry.attempts++;
    if (!this.ackTimer.armed) this.ackTimer.set(this.timings.ackTimeout, () => this.resendUnacked());
  }

  private scheduleExpiry(): void {
    const next = this.outbox.nextExpiry();
    if (next === undefined) return this.expiryTimer.clear();
    this.expiryTimer.set(Math.max(0, next - this.now()), () => {
      for (const entry of this.outbox.expired(this.now())) {
        this.giveUp(entry, 'expired', new HybridError('TIMEOUT', `reliable message "${entry.event}" (${entry.id}) not acked in time (${entry.attempts} sends)`));
      }
      this.scheduleExpiry();
    });
  }

  private resendUnacked(): void {
    if (!this.out.open) return;
    for (const entry of this.outbox.due(this.now() - this.timings.ackTimeout)) if (this.out.write(entry.text)) this.markSent(entry);
    if (this.outbox.size && !this.ackTimer.armed) this.ackTimer.set(this.timings.ackTimeout, () => this.resendUnacked());
  }
}
