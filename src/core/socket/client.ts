/**
 * The platform-free socket client: one live task at a time, explicit states, full-jitter
 * reconnect, app-level heartbeat, a bounded queue until open, reliable messages (id + ack +
 * resend + dedupe), request/response, all over docs/protocol.md frames. No wx, no DOM, no Node:
 * the transport is passed in (src/adapters for wx, webSocketTransport for browsers and `ws`).
 *
 * This class is the public face; the work is done by its parts: connection.ts (states, tasks,
 * reconnect), outbound.ts (writes and the queue until open), reliable-sender.ts (the outbox of
 * reliable messages), inbound.ts (decode, seq, dispatch) and request-handlers.ts (serving).
 */
import { Backoff } from '../backoff';
import { createId, utf8ByteLength } from '../bytes';
import { Emitter, Unsubscribe } from '../emitter';
import { HybridError } from '../errors';
import { Frame, MessageFrame, RequestFrame } from '../frames';
import { checkName } from '../json';
import { LIMITS } from '../limits';
import { BoundedQueue } from '../queue';
import { handlingIncoming } from '../turn';
import { CLIENT_CLOSE } from './close-policy';

export * from './client-types';
import { Connection, ConnectionHooks } from './connection';
import { Heartbeat } from './heartbeat';
import { Inbound } from './inbound';
import { Outbound, QueuedFrame, SocketCounters } from './outbound';
import { plainLiveness, RAW_FRAME_TYPE, rawText } from './plain';
import { DedupeWindow, Outbox } from './reliable';
import { ReliableSender } from './reliable-sender';
import { RequestHandlers } from './request-handlers';
import { PendingRequests } from './requests';
import { ResponseStream, StreamCalls, StreamRequestOptions } from './stream-calls';
import {
  EmitOptions, ReliableSendResult, RequestHandler, SendResult, SocketClientEvents, SocketClientOptions, SocketState, SocketStats, Subscriber,
} from './client-types';

export class SocketClient {
  private readonly events = new Emitter<SocketClientEvents>();
  private readonly subscriptions = new Emitter<Record<string, Frame>>();
  private readonly requests = new PendingRequests();
  /** Streamed answers this client is reading (stream-calls.ts); those it sends live in `handlers`. */
  private readonly streamCalls = new StreamCalls((frame) => this.send(frame));
  private readonly handlers = new RequestHandlers((frame) => this.send(frame));
  private readonly counters: SocketCounters = { dropped: 0, sent: 0, received: 0, duplicates: 0, replays: 0 };
  private readonly connection: Connection;
  private readonly out: Outbound;
  private readonly reliable: ReliableSender;
  private readonly inbound: Inbound;
  /** protocol: 'plain' (see ./plain). */
  private readonly plain: boolean;
  private readonly now: () => number;
  private readonly requestTimeout: number;
  private readonly maxFrameBytes: number;

  constructor(private readonly options: SocketClientOptions) {
    if (!options || typeof options.transport !== 'function') {
      throw new HybridError('BAD_REQUEST', 'SocketClient needs a transport function (wxSocketTransport(), webSocketTransport(WebSocket)…)');
    }
    if (options.target === undefined) throw new HybridError('BAD_REQUEST', 'SocketClient needs a target (URL or provider)');
    this.now = options.now ?? Date.now;
    this.plain = options.protocol === 'plain';
    this.requestTimeout = options.requestTimeout ?? 15000;
    this.maxFrameBytes = options.maxFrameBytes ?? LIMITS.maxFrameBytes;
    /** Frame limits for encode and decode, built once (not an object per frame). */
    const frameLimits = { maxFrameBytes: this.maxFrameBytes };
    const timings = { connectTimeout: options.connectTimeout ?? 10000, closeTimeout: options.closeTimeout ?? 1000, minUptime: options.minUptime ?? 5000 };
    const backoff = new Backoff({ base: 1000, cap: 30000, ...options.backoff }, options.random);
    this.connection = new Connection(options, timings, backoff, this.events, this.connectionHooks());
    const q = options.queue || {};
    const queue = new BoundedQueue<QueuedFrame>({ maxItems: q.maxItems ?? 500, maxBytes: q.maxBytes ?? 512 * 1024, overflow: q.overflow, now: this.now });
    this.out = new Outbound(this.connection, queue, this.requests, this.events, this.counters, frameLimits);
    const outbox = new Outbox(options.maxUnacked ?? 1000, options.maxUnackedBytes ?? 1024 * 1024);
    const reliableTimings = { ackTimeout: options.ackTimeout ?? 10000, deliveryTimeout: options.deliveryTimeout ?? 0 };
    this.reliable = new ReliableSender(outbox, this.out, this.events, reliableTimings, this.now);
    const inboundParts = {
      events: this.events, subscriptions: this.subscriptions, counters: this.counters, out: this.out, reliable: this.reliable,
      requests: this.requests, streamCalls: this.streamCalls, handlers: this.handlers,
      dedupe: new DedupeWindow(options.dedupeWindow ?? 5000), send: (frame: Frame) => void this.send(frame),
    };
    const confirmEvery = options.legacyRelay || this.plain ? 0 : options.confirmEvery ?? 64;
    const inboundOptions = { plain: this.plain, plainHeartbeat: options.plainHeartbeat, confirmEvery, maxFrameBytes: this.maxFrameBytes };
    this.inbound = new Inbound(inboundParts, inboundOptions, frameLimits, this.now);
    this.inbound.heartbeat = this.createHeartbeat();
    this.out.beforeFlush = () => this.inbound.piggyback();
  }

  private createHeartbeat(): Inbound['heartbeat'] {
    const options = this.options;
    const dead = (reason: string) => this.connection.lose({ code: CLIENT_CLOSE.timeout, reason }, true);
    if (this.plain) return plainLiveness(options.plainHeartbeat, this.now, (text) => this.out.write(text), dead);
    const interval = options.heartbeatInterval ?? 20000;
    if (interval <= 0 || options.legacyRelay) return undefined;
    return new Heartbeat({ interval, timeout: options.pongTimeout ?? 10000, now: this.now }, () => this.inbound.confirm(this.now()), dead);
  }

  private readonly opened = (): void => {
    // Batches wait for this relay's hello. Resume first so the server replays what we missed before anything else goes out.
    this.out.batch = undefined;
    // `batch`: the relay may write this turn's frames to us as one batch message (older relays ignore it).
    if (!this.options.legacyRelay && !this.plain) this.out.transmit({ type: 'resume', lastSeq: this.inbound.lastSeq, batch: true });
    this.reliable.opened();
    this.out.flushQueue();
    if (this.inbound.heartbeat) this.inbound.heartbeat.start();
  };

  private readonly received = (data: unknown): void => this.inbound.handle(data);

  private connectionHooks(): ConnectionHooks {
    return {
      // What the socket's own events make us write waits for the end of their turn and goes out together.
      opened: () => handlingIncoming(this.opened, undefined),
      inbound: (data) => handlingIncoming(this.received, data),
      flushWrites: () => this.out.flush(),
      stopTimers: () => {
        this.reliable.stopTimers();
        this.inbound.stopTimers();
        if (this.inbound.heartbeat) this.inbound.heartbeat.stop();
      },
      lost: (generation, close) => {
        this.requests.rejectSentOn(generation, new HybridError('OFFLINE', `connection lost before the response (${close.code} ${close.reason})`));
      },
      finished: (reason) => this.cancelWaiting(`socket closed (${reason})`),
    };
  }

  /** Requests and streams waiting on this client end with CANCELLED. */
  private cancelWaiting(message: string): void {
    this.requests.rejectAll(new HybridError('CANCELLED', message));
    this.streamCalls.failAll(new HybridError('CANCELLED', message));
    this.handlers.streams.stopAll(new HybridError('CANCELLED', message));
  }

  get state(): SocketState {
    return this.connection.state;
  }

  get protocol(): 'hybrid' | 'plain' {
    return this.plain ? 'plain' : 'hybrid';
  }

  on<K extends keyof SocketClientEvents>(event: K, fn: (payload: SocketClientEvents[K]) => void): Unsubscribe {
    return this.events.on(event, fn);
  }

  /** Messages whose `event` is `name`, and relay-format frames whose `type` is `name`. */
  subscribe(name: string, fn: Subscriber): Unsubscribe {
    checkName(name, 'event');
    if (typeof fn !== 'function') throw new HybridError('BAD_REQUEST', `subscribe("${name}") needs a function`);
    return this.subscriptions.on(name, (frame) => fn((frame as { data?: unknown }).data, frame));
  }

  /**
   * Serves `request` frames from the peer; the handler's value (or thrown error) is the response.
   * Handlers stack: the most recently added one that is still registered answers, so on a shared
   * connection the top page serves and, when it leaves (unsubscribes), the page below takes over.
   */
  onRequest(handler: RequestHandler): Unsubscribe {
    if (typeof handler !== 'function') throw new HybridError('BAD_REQUEST', 'onRequest needs a function');
    return this.handlers.add(handler);
  }

  // ---- control: each works in every state ----

  connect(): void {
    this.connection.connect();
  }

  /** Closes for good (until connect()): never reconnects. Queued and unacked frames are kept (nothing is reported undelivered). */
  close(code: number = CLIENT_CLOSE.normal, reason = 'client close'): void {
    this.connection.close(code, reason);
  }

  /** Drops the current task (if any) and connects again now, with a fresh backoff. */
  reconnect(reason = 'reconnect()'): void {
    this.connection.reconnect(reason);
  }

  /** App hidden or offline: drop the connection without retrying; `resume()` connects again. */
  pause(reason = 'paused'): void {
    const gen = this.connection.pause(reason);
    if (gen !== undefined) this.requests.rejectSentOn(gen, new HybridError('OFFLINE', `connection paused (${reason}) before the response`));
  }

  resume(reason = 'resumed'): void {
    this.connection.resume(reason);
  }

  /** Wall-clock liveness check, e.g. on app show: reconnects at once if the connection went stale. */
  checkAlive(): void {
    if (this.connection.state === 'open' && this.inbound.heartbeat) this.inbound.heartbeat.check();
  }

  /** Closes, gives every unacked reliable message up (`undelivered`, CANCELLED), then removes every listener and subscription. */
  destroy(): void {
    this.connection.destroy();
    this.cancelWaiting('socket client destroyed');
    // Listeners hear about every message given up before they are removed.
    this.reliable.giveUpAll(new HybridError('CANCELLED', 'socket client destroyed before the ack'));
    this.events.removeAllListeners();
    this.subscriptions.removeAllListeners();
    this.handlers.clear();
  }

  // ---- sending ----

  /** Sends any frame as it is (relay-format `{ type, data }` included); queued while not open. */
  send(frame: Frame, options: { ttl?: number } = {}): SendResult {
    return this.out.send(frame, this.out.encode(frame), options.ttl);
  }

  /**
   * An application message `{ type: 'message', event, data }`. Reliable ones get an id (or reuse
   * `options.id`), are resent until acked, and end in exactly one `ack` or `undelivered` event;
   * the result's `delivered` promise follows the same outcome.
   */
  emit(event: string, data: unknown, options: EmitOptions & { reliable: true }): ReliableSendResult;
  emit(event: string, data?: unknown, options?: EmitOptions): SendResult;
  emit(event: string, data?: unknown, options: EmitOptions = {}): SendResult {
    if (this.plain) throw plainRefusal('emit');
    const frame: MessageFrame = { type: 'message', event: checkName(event, 'event'), data };
    if (options.to !== undefined) frame.to = options.to;
    if (!options.reliable) return this.send(frame, { ttl: options.ttl ?? this.options.queue?.ttl });
    const id = options.id === undefined ? createId('m') : checkName(options.id, 'id');
    const pending = this.reliable.pending(id);
    if (pending) return pending;
    frame.id = id;
    const text = this.out.encode(frame);
    return this.reliable.emit(frame as MessageFrame & { id: string; event: string }, text, utf8ByteLength(text), options.ttl);
  }

  /**
   * Sends text as it is, or any other value as its JSON text; queued while not open, like send().
   * The way to talk to a plain server; on the relay the text is forwarded as it is. Throws
   * BAD_REQUEST (not JSON-encodable) or PAYLOAD_TOO_LARGE (past maxFrameBytes).
   */
  sendRaw(value: unknown, options: { ttl?: number } = {}): SendResult {
    const text = rawText(value, this.maxFrameBytes);
    if (this.out.write(text)) return { status: 'sent' };
    // `drop` events report a raw send as { type: RAW_FRAME_TYPE, data: text }.
    return this.out.enqueue({ frame: { type: RAW_FRAME_TYPE, data: text }, text }, options.ttl);
  }

  /** Calls a handler on the peer; rejects with TIMEOUT, QUEUE_FULL, OFFLINE (connection lost after sending) or CANCELLED (close()). */
  request<T = unknown>(api: string, params?: unknown, options: { to?: string; timeout?: number } = {}): Promise<T> {
    const frame: RequestFrame = { type: 'request', id: createId('r'), api, params };
    if (options.to !== undefined) frame.to = options.to;
    let text: string;
    try {
      if (this.plain) throw plainRefusal('request');
      checkName(api, 'api');
      text = this.out.encode(frame);
    } catch (err) {
      return Promise.reject(err);
    }
    const result = this.requests.add<T>(frame.id, options.timeout ?? this.requestTimeout, api);
    if (this.out.write(text)) this.requests.markSent(frame.id, this.connection.generation);
    else {
      const queued = this.out.enqueue({ frame, text });
      if (queued.error) this.requests.reject(frame.id, queued.error);
    }
    return result;
  }

  /**
   * Calls a handler on the peer that answers with a stream (an async iterable): iterate the
   * result with `for await`, or pass `onChunk` and await `done`. Items arrive in order, once,
   * across reconnects. Ends with TIMEOUT (nothing for `timeout` ms), OFFLINE (the peer left),
   * CANCELLED (`cancel()`, `break`, close()) or the handler's error. See docs/protocol.md.
   */
  requestStream<T = unknown>(api: string, params?: unknown, options: StreamRequestOptions<T> = {}): ResponseStream<T> {
    if (this.plain) throw plainRefusal('requestStream');
    const frame: RequestFrame = { type: 'request', id: createId('r'), api: checkName(api, 'api'), params, stream: true };
    if (options.to !== undefined) frame.to = options.to;
    const text = this.out.encode(frame);
    const stream = this.streamCalls.start<T>(frame.id, api, { ...options, timeout: options.timeout ?? this.requestTimeout });
    if (!this.out.write(text)) {
      const queued = this.out.enqueue({ frame, text });
      if (queued.error) this.streamCalls.fail(frame.id, queued.error);
    }
    return stream;
  }

  stats(): SocketStats {
    return {
      state: this.connection.state,
      generation: this.connection.generation,
      attempts: this.connection.attempts,
      retries: this.connection.backoff.attempts,
      queued: this.out.queued,
      queuedBytes: this.out.queuedBytes,
      unacked: this.reliable.size,
      dropped: this.counters.dropped,
      sent: this.counters.sent,
      received: this.counters.received,
      duplicates: this.counters.duplicates,
      replays: this.counters.replays,
      pendingRequests: this.requests.size,
      lastSeq: this.inbound.lastSeq,
      lastClose: this.connection.lastClose,
      rtt: this.inbound.rtt,
    };
  }

  /** True while a timer or a task of this client is alive (for leak checks). */
  get busy(): boolean {
    const heartbeat = this.inbound.heartbeat;
    return this.connection.busy || this.reliable.busy || this.inbound.busy || (!!heartbeat && heartbeat.running);
  }
}

function plainRefusal(method: string): HybridError {
  return new HybridError('BAD_REQUEST', `${method}() needs the hybrid protocol; this client is in plain mode (use sendRaw())`);
}
