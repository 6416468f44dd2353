/**
 * Everything SocketClient writes: frames go to the live task when it is open, or wait in a
 * bounded queue until it is; what the queue cannot take is refused or dropped with a `drop` event.
 */
import { utf8ByteLength } from '../bytes';
import { Emitter } from '../emitter';
import { HybridError } from '../errors';
import { encodeFrame, Frame, FrameLimits, KnownFrame, RequestFrame } from '../frames';
import { BoundedQueue } from '../queue';
import { DropReason, SendRefused, SendResult, SocketClientEvents } from './client-types';
import { Connection } from './connection';
import { PendingRequests } from './requests';

export interface QueuedFrame {
  frame: Frame;
  text: string;
}

/** Counters shared by the client's parts (SocketClient.stats()). */
export interface SocketCounters {
  dropped: number;
  sent: number;
  received: number;
  duplicates: number;
  replays: number;
}

export class Outbound {
  constructor(
    private readonly connection: Connection,
    private readonly queue: BoundedQueue<QueuedFrame>,
    private readonly requests: PendingRequests,
    private readonly events: Emitter<SocketClientEvents>,
    private readonly counters: SocketCounters,
    private readonly frameLimits: FrameLimits,
  ) {}

  /** The connection is open: what is written now goes out. */
  get open(): boolean {
    return this.connection.state === 'open';
  }

  get queued(): number {
    return this.queue.length;
  }

  get queuedBytes(): number {
    return this.queue.bytes;
  }

  /** Checks that `frame` is a frame and encodes it within the frame limits. */
  encode(frame: Frame): string {
    if (!frame || typeof frame !== 'object' || typeof frame.type !== 'string' || !frame.type) {
      throw new HybridError('BAD_REQUEST', 'a frame must be an object with a non-empty string "type"');
    }
    return encodeFrame(frame, this.frameLimits);
  }

  /** Writes now when open, otherwise queues (`ttl`: ms it may wait). */
  send(frame: Frame, text: string, ttl?: number): SendResult {
    if (this.write(text)) return { status: 'sent' };
    return this.enqueue({ frame, text }, ttl);
  }

  /** A protocol frame of ours (ping, pong, resume…): written when open, never queued. */
  transmit(frame: KnownFrame): boolean {
    return this.write(encodeFrame(frame));
  }

  /** Hands `text` to the live task; false when there is none or it refused. */
  write(text: string): boolean {
    const task = this.connection.task;
    if (!task || this.connection.state !== 'open') return false;
    try {
      task.send({ data: text });
    } catch {
      return false;
    }
    this.counters.sent++;
    return true;
  }

  /** Writes held for the end of this turn (none yet: every write goes out at once). */
  flush(): void {
    // Nothing held.
  }

  enqueue(item: QueuedFrame, ttl?: number): SendResult {
    try {
      const result = this.queue.push(item, { bytes: utf8ByteLength(item.text), ttl });
      for (const old of result.dropped) if (old !== item) this.dropped(old.frame, 'overflow');
      if (result.accepted) return { status: 'queued' };
      return this.refuse(item.frame, new HybridError('QUEUE_FULL', 'send queue is full (drop-newest)'));
    } catch (err) {
      return this.refuse(item.frame, HybridError.from(err, 'QUEUE_FULL'));
    }
  }

  refuse(frame: Frame, error: HybridError): SendRefused {
    this.dropped(frame, 'refused');
    return { status: 'refused', error };
  }

  /** Sends what waited in the queue (on open); a request nobody waits for any more is dropped. */
  flushQueue(): void {
    for (const old of this.queue.pruneExpired()) this.dropped(old.frame, 'expired');
    const items = this.queue.drain();
    for (let i = 0; i < items.length; i++) {
      // A request whose caller gave up (TIMEOUT) while it waited is never sent: no handler runs for nobody.
      const frame = items[i].frame;
      if (frame.type === 'request' && !this.requests.has((frame as RequestFrame).id)) {
        this.dropped(frame, 'expired');
        continue;
      }
      if (!this.write(items[i].text)) {
        this.queue.unshift(items.slice(i), (it) => utf8ByteLength(it.text));
        return;
      }
      if (frame.type === 'request') this.requests.markSent((frame as RequestFrame).id, this.connection.generation);
    }
  }

  private dropped(frame: Frame, reason: DropReason): void {
    this.counters.dropped++;
    if (frame.type === 'request') this.requests.reject((frame as RequestFrame).id, new HybridError('QUEUE_FULL', 'request dropped from the send queue'));
    this.events.emit('drop', { frame, reason });
  }
}
