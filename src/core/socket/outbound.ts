/**
 * Everything SocketClient writes: frames go to the live task when it is open, or wait in a
 * bounded queue until it is; what the queue cannot take is refused or dropped with a `drop` event.
 *
 * A write from the app's own initiative (a tap, a timer) goes out at once; the writes after it in
 * the same turn, and every write that answers incoming traffic (a callback of a received message,
 * an ack, an open), are held until the end of the turn (a microtask) and then go out together: as
 * one batch message when the relay offered batches in its hello (../batch.ts), otherwise one send
 * per frame between cork() and uncork() when the task has them (Node's `ws`: one syscall).
 */
import { BatchLimits, joinBatches } from '../batch';
import { utf8ByteLength } from '../bytes';
import { Emitter } from '../emitter';
import { HybridError } from '../errors';
import { encodeFrame, Frame, FrameLimits, KnownFrame, RequestFrame } from '../frames';
import { BoundedQueue } from '../queue';
import { atEndOfTurn, incomingThisTurn } from '../turn';
import { DropReason, SendRefused, SendResult, SocketClientEvents } from './client-types';
import { Connection } from './connection';
import { PendingRequests } from './requests';
import { SocketTaskLike } from './transport';

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
  /** The relay's batch offer on this connection (its hello); undefined: one message per frame. */
  batch: BatchLimits | undefined;
  /** Texts written in this turn, not yet handed to the task. */
  private held: string[] = [];
  private flushQueued = false;
  private readonly flushNow = (): void => this.flush();
  /** Called as this turn's writes go out: what may ride along is written now (Inbound.piggyback). */
  beforeFlush: (() => void) | undefined;

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

  /**
   * Takes `text` for the live task; false when there is none. The first write of a turn goes out
   * at once unless it answers incoming traffic (incomingThisTurn); the others of that turn go
   * together at its end.
   */
  write(text: string): boolean {
    if (!this.connection.task || this.connection.state !== 'open') return false;
    this.held.push(text);
    this.counters.sent++;
    if (!this.flushQueued) {
      this.flushQueued = true;
      atEndOfTurn(this.flushNow);
      if (!incomingThisTurn()) this.sendHeld();
    }
    return true;
  }

  /** Hands this turn's writes to the task (end of turn, and before the task is closed or dropped). */
  flush(): void {
    this.sendHeld();
    this.flushQueued = false;
  }

  /** Sends what is held (with what may ride along); writes meanwhile are held, as flushQueued is set. */
  private sendHeld(): void {
    if (this.held.length && this.beforeFlush) this.beforeFlush();
    const texts = this.held;
    if (!texts.length) return;
    this.held = [];
    // Held texts belong to the task they were written for: never carried over to a later one.
    const task = this.connection.task;
    if (!task) return;
    try {
      if (texts.length === 1) task.send({ data: texts[0] });
      else this.sendAll(task, texts);
    } catch {
      // A task that throws on send is going away: what it refused is lost with the connection,
      // as if written to a socket that then died (reliable messages are resent, requests fail OFFLINE).
    }
  }

  private sendAll(task: SocketTaskLike, texts: string[]): void {
    const messages = this.batch ? joinBatches(texts, this.batch) : texts;
    if (task.cork) task.cork();
    try {
      for (const data of messages) task.send({ data });
    } finally {
      if (task.uncork) task.uncork();
    }
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
