/**
 * Everything SocketClient receives: decode (tolerating the old relay's doubly encoded text),
 * drop replays by `seq` and confirm what arrived, then hand each frame to its part: acks and
 * delivered notices to the reliable sender, responses and chunks to the callers, requests to the
 * handlers, messages (deduped by id) and relay-format frames to the app.
 */
import { BATCH_MAX_FRAMES, batchLimitsOf, isBatch, splitBatch } from '../batch';
import { utf8ByteLength } from '../bytes';
import { Emitter } from '../emitter';
import { HybridError } from '../errors';
import { AckFrame, decodeFrame, ErrorFrame, Frame, FrameLimits, isKnownFrame, KnownFrame, MessageFrame } from '../frames';
import { atEndOfTurn } from '../turn';
import { SocketClientEvents, SocketClientOptions } from './client-types';
import { Outbound, SocketCounters } from './outbound';
import { Liveness, readRaw } from './plain';
import { DedupeWindow } from './reliable';
import { ReliableSender } from './reliable-sender';
import { RequestHandlers } from './request-handlers';
import { PendingRequests } from './requests';
import { StreamCalls } from './stream-calls';
import { OneShot } from './timers';

/** A confirmation nobody waits on waits at most this long for a write to ride on, */
const LAZY_CONFIRM_MS = 50;
/** or until this many frames wait for it (the relay keeps each in its backlog until confirmed), */
const LAZY_CONFIRM_MAX = 32;
/** or this much of their text (streamed chunks are large: the backlog's byte limit is 1 MiB by default). */
const LAZY_CONFIRM_CHARS = 65536;

export interface InboundParts {
  events: Emitter<SocketClientEvents>;
  subscriptions: Emitter<Record<string, Frame>>;
  counters: SocketCounters;
  out: Outbound;
  reliable: ReliableSender;
  requests: PendingRequests;
  streamCalls: StreamCalls;
  handlers: RequestHandlers;
  dedupe: DedupeWindow;
  /** Sends any frame as the app would (queued while not open). */
  send(frame: Frame): void;
}

export class Inbound {
  lastSeq = 0;
  rtt: number | undefined;
  heartbeat: Liveness | undefined;
  /** Relay frames received since `lastSeq` was last confirmed (see `confirmEvery`). */
  private unconfirmed = 0;
  /** Length of the frames confirmed lazily since the last confirmation. */
  private unconfirmedChars = 0;
  /** A confirmation of lastSeq is queued for the end of this turn (relays with receipts). */
  private confirmQueued = false;
  /** Armed while only frames nobody waits on (see confirmLater) wait for a confirmation. */
  private readonly lazyConfirm = new OneShot();

  constructor(
    private readonly parts: InboundParts,
    private readonly options: Pick<SocketClientOptions, 'plainHeartbeat'> & { plain: boolean; confirmEvery: number; maxFrameBytes: number },
    private readonly frameLimits: FrameLimits,
    private readonly now: () => number,
  ) {}

  get busy(): boolean {
    return this.confirmQueued || this.lazyConfirm.armed;
  }

  stopTimers(): void {
    this.confirmQueued = false;
    this.lazyConfirm.clear();
  }

  /** A ping that also confirms every frame up to `lastSeq` (the relay trims its backlog). */
  confirm(ts?: number): void {
    this.confirming();
    this.parts.out.transmit(ts === undefined ? { type: 'ping', lastSeq: this.lastSeq } : { type: 'ping', ts, lastSeq: this.lastSeq });
  }

  /** One WebSocket message from the live task. */
  handle(data: unknown): void {
    if (this.heartbeat) this.heartbeat.alive();
    if (this.options.plain) return this.handlePlain(data);
    const { events } = this.parts;
    if (typeof data !== 'string') {
      if (data && typeof data === 'object') events.emit('binary', data as ArrayBuffer);
      return;
    }
    if (!isBatch(data)) return this.handleText(data);
    // A batch message (the relay's writes of one turn, asked for by our opening resume): each frame in order.
    let texts: string[];
    try {
      texts = splitBatch(data, BATCH_MAX_FRAMES);
    } catch (err) {
      events.emit('error', HybridError.from(err, 'BAD_REQUEST'));
      return;
    }
    for (let i = 0; i < texts.length; i++) this.handleText(texts[i]);
  }

  private handleText(data: string): void {
    const { events } = this.parts;
    let frame: Frame;
    try {
      frame = decodeInbound(data, this.frameLimits);
    } catch (err) {
      events.emit('error', HybridError.from(err, 'BAD_REQUEST'));
      // Not a frame of ours: still handed to whoever listens for what the server sent.
      const raw = readRaw(data);
      if (raw) events.emit('raw', raw);
      return;
    }
    const seq = (frame as { seq?: unknown }).seq;
    // Only a reliable message has a sender waiting for its confirmation (its `delivered`).
    const lazy = frame.type !== 'message' || (frame as MessageFrame).id === undefined;
    if (typeof seq === 'number' && !this.inSequence(seq, lazy ? data.length : 0)) return;
    this.parts.counters.received++;
    if (isKnownFrame(frame)) this.handleKnown(frame);
    else this.deliver(frame, frame.type);
  }

  /**
   * False for a replay (seq already seen); otherwise records it and confirms it in time: at the end
   * of this turn when a sender waits on it, later when nobody does (`lazyChars` > 0: the frame's
   * length, see confirmLater).
   */
  private inSequence(seq: number, lazyChars: number): boolean {
    if (seq <= this.lastSeq) {
      this.parts.counters.replays++;
      return false;
    }
    this.lastSeq = seq;
    if (this.parts.reliable.receipts) {
      if (lazyChars > 0) this.confirmLater(lazyChars);
      else this.confirmSoon();
    } else if (this.options.confirmEvery > 0 && ++this.unconfirmed >= this.options.confirmEvery) this.confirm();
    return true;
  }

  /** One cumulative confirmation after this turn's frames were handed to the app. */
  private confirmSoon(): void {
    if (this.confirmQueued) return;
    this.confirmQueued = true;
    atEndOfTurn(this.confirmTurn);
  }

  private readonly confirmTurn = (): void => {
    if (!this.confirmQueued) return; // stopped meanwhile
    this.confirmQueued = false;
    this.sendConfirmation();
  };

  /**
   * The confirmation of a frame nobody waits on (a `delivered` notice, an unreliable message,
   * presence, a response) only lets the relay trim its backlog. It goes with the next write of this
   * client (piggyback), after LAZY_CONFIRM_MS, or once LAZY_CONFIRM_MAX such frames (or
   * LAZY_CONFIRM_CHARS of them) wait, so a receiver does not spend a WebSocket message (a syscall;
   * on WeChat a bridge call) per read, and the relay's backlog never holds much for it.
   */
  private confirmLater(chars: number): void {
    if (this.confirmQueued) return;
    this.unconfirmedChars += chars;
    if (++this.unconfirmed >= LAZY_CONFIRM_MAX || this.unconfirmedChars >= LAZY_CONFIRM_CHARS) return this.confirmSoon();
    if (!this.lazyConfirm.armed) this.lazyConfirm.set(LAZY_CONFIRM_MS, this.sendConfirmation);
  }

  /** The client is about to write: a confirmation owed lazily goes in the same message. */
  piggyback(): void {
    if (this.lazyConfirm.armed && !this.confirmQueued) this.sendConfirmation();
  }

  private readonly sendConfirmation = (): void => {
    this.confirming();
    this.parts.out.transmit({ type: 'resume', lastSeq: this.lastSeq });
  };

  /** lastSeq is about to be confirmed (resume or ping): nothing is owed any more. */
  private confirming(): void {
    this.lazyConfirm.clear();
    this.unconfirmed = 0;
    this.unconfirmedChars = 0;
  }

  /** Plain mode: the heartbeat reply is swallowed; everything else is a `raw` event. */
  private handlePlain(data: unknown): void {
    const heartbeat = this.options.plainHeartbeat;
    if (heartbeat && heartbeat.reply !== undefined && data === heartbeat.reply) return;
    const { events } = this.parts;
    if (typeof data === 'string' && utf8ByteLength(data) > this.options.maxFrameBytes) {
      events.emit('error', new HybridError('PAYLOAD_TOO_LARGE', `inbound frame is past ${this.options.maxFrameBytes} bytes`));
      return;
    }
    const raw = readRaw(data);
    if (!raw) return;
    this.parts.counters.received++;
    if (typeof raw.data !== 'string') events.emit('binary', raw.data);
    events.emit('raw', raw);
  }

  private handleKnown(frame: KnownFrame): void {
    const { reliable, streamCalls, handlers, events } = this.parts;
    switch (frame.type) {
      case 'pong':
        if (typeof frame.ts === 'number') this.rtt = Math.max(0, this.now() - frame.ts);
        return;
      case 'ping':
        this.parts.out.transmit({ type: 'pong', ts: frame.ts });
        return;
      case 'ack':
        return reliable.onAck(frame);
      case 'delivered':
        for (const id of frame.ids) reliable.delivered(id);
        return;
      case 'hello':
        this.parts.out.batch = batchLimitsOf(frame.batch);
        reliable.onHello(frame);
        return events.emit('hello', frame);
      case 'presence':
        streamCalls.presence(frame);
        handlers.streams.presence(frame);
        return events.emit('presence', frame);
      case 'error':
        return this.handleServerError(frame);
      case 'request':
        return handlers.serve(frame);
      case 'response':
        if (!streamCalls.response(frame)) this.parts.requests.settle(frame);
        return;
      case 'chunk':
        streamCalls.chunk(frame);
        return;
      case 'cancel':
        return handlers.streams.cancel(frame);
      case 'message':
        return this.receiveMessage(frame);
      default:
        return; // resume is client → server only
    }
  }

  private receiveMessage(frame: MessageFrame): void {
    if (frame.id !== undefined) {
      // Old relays: ack every copy (the first ack may be the one that got lost). Relays with
      // receipts: the confirmation of lastSeq after this turn says it (confirmSoon).
      if (!this.parts.reliable.receipts) {
        const ack: AckFrame = { type: 'ack', id: frame.id };
        if (frame.from !== undefined) ack.to = frame.from;
        this.parts.send(ack);
      }
      if (this.parts.dedupe.check(frame.id)) {
        this.parts.counters.duplicates++;
        return;
      }
    }
    this.parts.events.emit('message', frame);
    if (frame.event !== undefined) this.deliver(frame, frame.event);
    else this.parts.events.emit('frame', frame);
  }

  private deliver(frame: Frame, name: string): void {
    this.parts.events.emit('frame', frame);
    this.parts.subscriptions.emit(name, frame);
  }

  private handleServerError(frame: ErrorFrame): void {
    if (frame.id !== undefined) {
      const error = new HybridError(frame.code, frame.message);
      this.parts.requests.reject(frame.id, error);
      this.parts.streamCalls.fail(frame.id, error);
      this.parts.reliable.failed(frame, error);
    }
    this.parts.events.emit('server-error', frame);
  }
}

/** decodeFrame, tolerating the doubly JSON-encoded text some relays send (the old express-ws relay forwarded JSON.stringify(text), and its clients parsed twice). */
function decodeInbound(text: string, limits: FrameLimits): Frame {
  const first = text.charAt(0);
  if (first === '"') {
    let inner: unknown;
    try {
      inner = JSON.parse(text);
    } catch {
      inner = undefined;
    }
    if (typeof inner === 'string') return decodeFrame(inner, limits);
  }
  return decodeFrame(text, limits);
}
