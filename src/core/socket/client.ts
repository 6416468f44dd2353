/**
 * The platform-free socket client: one live task at a time, explicit states, full-jitter
 * reconnect, app-level heartbeat, a bounded queue until open, reliable messages (id + ack +
 * resend + dedupe), request/response, all over docs/protocol.md frames. No wx, no DOM, no Node:
 * the transport is passed in (src/adapters for wx, webSocketTransport for browsers and `ws`).
 */
import { Backoff } from '../backoff';
import { createId, utf8ByteLength } from '../bytes';
import { Emitter, Unsubscribe } from '../emitter';
import { HybridError } from '../errors';
import {
  AckFrame, ChunkFrame, decodeFrame, encodeFrame, ErrorFrame, Frame, HelloFrame, isKnownFrame, KnownFrame, MessageFrame, PresenceFrame,
  RequestFrame, ResponseFrame, FrameLimits,
} from '../frames';
import { checkName } from '../json';
import { LIMITS, PROTOCOL_VERSION } from '../limits';
import { BoundedQueue } from '../queue';
import { CLIENT_CLOSE, decideOnClose } from './close-policy';
import { isClosableByClient } from '../protocol/close-codes';

export * from './client-types';
import { Heartbeat } from './heartbeat';
import { Liveness, plainLiveness, RAW_FRAME_TYPE, rawText, readRaw } from './plain';
import { deliveryPromise, DedupeWindow, Outbox, OutboxEntry } from './reliable';
import { PendingRequests } from './requests';
import { ResponseStream, StreamCalls, StreamRequestOptions } from './stream-calls';
import { isAsyncIterable, StreamServer } from './stream-serve';
import { resolveTarget, withProtocolVersion } from './target';
import {
  DropReason, EmitOptions, ReliableSendResult, RequestHandler, SendRefused, SendResult, SocketClientEvents, SocketClientOptions, SocketState, SocketStats,
  Subscriber, UndeliveredReason,
} from './client-types';
import { OneShot } from './timers';
import { ConnectTarget, isThenable, SocketCloseInfo, SocketTaskLike, SocketTransport } from './transport';

interface QueuedFrame {
  frame: Frame;
  text: string;
}

export class SocketClient {
  private readonly events = new Emitter<SocketClientEvents>();
  private readonly subscriptions = new Emitter<Record<string, Frame>>();
  private readonly backoff: Backoff;
  private readonly queue: BoundedQueue<QueuedFrame>;
  private readonly outbox: Outbox;
  private readonly dedupe: DedupeWindow;
  private readonly requests = new PendingRequests();
  /** Streamed answers this client is reading, and those it is sending (stream-calls.ts, stream-serve.ts). */
  private readonly streamCalls = new StreamCalls((frame) => this.send(frame));
  private readonly streamServer = new StreamServer((frame) => this.sendAnswer(frame));
  private readonly heartbeat: Liveness | undefined;
  /** protocol: 'plain' (see ./plain). */
  private readonly plain: boolean;
  private readonly retryTimer = new OneShot();
  private readonly connectTimer = new OneShot();
  private readonly uptimeTimer = new OneShot();
  private readonly ackTimer = new OneShot();
  private readonly closeTimer = new OneShot();
  /** Fires at the earliest deadline of a reliable message (ttl / deliveryTimeout). */
  private readonly expiryTimer = new OneShot();
  /** Confirms lastSeq once per turn of received frames (relays with receipts). */
  private readonly confirmTimer = new OneShot();
  /** The relay of this connection sends receipts (its hello said so): no per-message peer acks. */
  private receipts = false;
  /** The relay store named in the last hello (what it accepted survives while the name stays). */
  private store: string | undefined;
  private readonly now: () => number;
  private readonly opts: Required<Pick<SocketClientOptions,
    'minUptime' | 'connectTimeout' | 'ackTimeout' | 'requestTimeout' | 'closeTimeout' | 'maxFrameBytes' | 'deliveryTimeout'>>;

  private current: SocketState = 'idle';
  private task: SocketTaskLike | undefined;
  private generation = 0;
  /** Stacked: the most recently added live handler answers (shared connections, one per page). */
  private requestHandlers: Array<{ handler: RequestHandler }> = [];
  private lastSeq = 0;
  /** Relay frames received since `lastSeq` was last confirmed (see `confirmEvery`). */
  private unconfirmed = 0;
  private readonly confirmEvery: number;
  /** Frame limits for encode and decode, built once (not an object per frame). */
  private readonly frameLimits: FrameLimits;
  private counters = { attempts: 0, dropped: 0, sent: 0, received: 0, duplicates: 0, replays: 0 };
  private lastClose: SocketCloseInfo | undefined;
  private rtt: number | undefined;

  constructor(private readonly options: SocketClientOptions) {
    if (!options || typeof options.transport !== 'function') {
      throw new HybridError('BAD_REQUEST', 'SocketClient needs a transport function (wxSocketTransport(), webSocketTransport(WebSocket)…)');
    }
    if (options.target === undefined) throw new HybridError('BAD_REQUEST', 'SocketClient needs a target (URL or provider)');
    this.now = options.now ?? Date.now;
    this.opts = {
      minUptime: options.minUptime ?? 5000,
      connectTimeout: options.connectTimeout ?? 10000,
      ackTimeout: options.ackTimeout ?? 10000,
      requestTimeout: options.requestTimeout ?? 15000,
      closeTimeout: options.closeTimeout ?? 1000,
      maxFrameBytes: options.maxFrameBytes ?? LIMITS.maxFrameBytes,
      deliveryTimeout: options.deliveryTimeout ?? 0,
    };
    this.backoff = new Backoff({ base: 1000, cap: 30000, ...options.backoff }, options.random);
    const q = options.queue || {};
    this.queue = new BoundedQueue<QueuedFrame>({ maxItems: q.maxItems ?? 500, maxBytes: q.maxBytes ?? 512 * 1024, overflow: q.overflow, now: this.now });
    this.outbox = new Outbox(options.maxUnacked ?? 1000, options.maxUnackedBytes ?? 1024 * 1024);
    this.dedupe = new DedupeWindow(options.dedupeWindow ?? 5000);
    this.frameLimits = { maxFrameBytes: this.opts.maxFrameBytes };
    this.plain = options.protocol === 'plain';
    this.confirmEvery = options.legacyRelay || this.plain ? 0 : options.confirmEvery ?? 64;
    const interval = options.heartbeatInterval ?? 20000;
    if (this.plain) {
      this.heartbeat = plainLiveness(options.plainHeartbeat, this.now, (text) => this.transmitText(text), (reason) =>
        this.lose({ code: CLIENT_CLOSE.timeout, reason }, true),
      );
    } else if (interval > 0 && !options.legacyRelay) {
      this.heartbeat = new Heartbeat(
        { interval, timeout: options.pongTimeout ?? 10000, now: this.now },
        () => this.confirm(this.now()),
        (reason) => this.lose({ code: CLIENT_CLOSE.timeout, reason }, true),
      );
    }
  }

  get state(): SocketState {
    return this.current;
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
    const slot = { handler };
    this.requestHandlers.push(slot);
    return () => {
      this.requestHandlers = this.requestHandlers.filter((s) => s !== slot);
    };
  }

  // ---- control: each works in every state ----

  connect(): void {
    switch (this.current) {
      case 'connecting':
      case 'open':
        return; // one live task: repeated connect() calls are no-ops
      case 'waiting':
        return this.attempt('connect() during backoff');
      case 'closing':
        this.abandonTask(CLIENT_CLOSE.replaced, 'connect() while closing');
        return this.attempt('connect() while closing');
      default:
        this.backoff.reset();
        return this.attempt('connect()');
    }
  }

  /** Closes for good (until connect()): never reconnects. Queued and unacked frames are kept (nothing is reported undelivered). */
  close(code: number = CLIENT_CLOSE.normal, reason = 'client close'): void {
    this.retryTimer.clear();
    if (this.task && (this.current === 'open' || this.current === 'connecting')) {
      const gen = this.generation;
      this.stopConnectionTimers();
      this.setState('closing', reason);
      safeClose(this.task, code, reason);
      this.closeTimer.set(this.opts.closeTimeout, () => {
        if (gen === this.generation) this.lose({ code, reason }, false);
      });
      return;
    }
    if (this.current === 'closing') return;
    this.abandonTask(code, reason);
    this.finishClosed(reason);
  }

  /** Drops the current task (if any) and connects again now, with a fresh backoff. */
  reconnect(reason = 'reconnect()'): void {
    this.abandonTask(CLIENT_CLOSE.replaced, reason);
    this.backoff.reset();
    this.attempt(reason);
  }

  /** App hidden or offline: drop the connection without retrying; `resume()` connects again. */
  pause(reason = 'paused'): void {
    if (this.current === 'closed' || this.current === 'idle' || this.current === 'failed' || this.current === 'paused') return;
    const gen = this.generation;
    this.abandonTask(CLIENT_CLOSE.normal, reason);
    this.requests.rejectSentOn(gen, new HybridError('OFFLINE', `connection paused (${reason}) before the response`));
    this.setState('paused', reason);
  }

  resume(reason = 'resumed'): void {
    if (this.current !== 'paused') return;
    this.backoff.reset();
    this.attempt(reason);
  }

  /** Wall-clock liveness check, e.g. on app show: reconnects at once if the connection went stale. */
  checkAlive(): void {
    if (this.current === 'open' && this.heartbeat) this.heartbeat.check();
  }

  /** Closes, gives every unacked reliable message up (`undelivered`, CANCELLED), then removes every listener and subscription. */
  destroy(): void {
    this.abandonTask(CLIENT_CLOSE.normal, 'destroyed');
    this.finishClosed('destroyed');
    this.requests.rejectAll(new HybridError('CANCELLED', 'socket client destroyed'));
    this.streamCalls.failAll(new HybridError('CANCELLED', 'socket client destroyed'));
    this.streamServer.stopAll(new HybridError('CANCELLED', 'socket client destroyed'));
    // Listeners hear about every message given up before they are removed.
    for (const entry of this.outbox.list()) this.giveUp(entry, 'destroyed', new HybridError('CANCELLED', 'socket client destroyed before the ack'));
    this.expiryTimer.clear();
    this.events.removeAllListeners();
    this.subscriptions.removeAllListeners();
    this.requestHandlers = [];
  }

  // ---- sending ----

  /** Sends any frame as it is (relay-format `{ type, data }` included); queued while not open. */
  send(frame: Frame, options: { ttl?: number } = {}): SendResult {
    const text = this.encode(frame);
    if (this.current === 'open' && this.transmitText(text)) return { status: 'sent' };
    return this.enqueue({ frame, text }, options.ttl);
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
    const pending = this.outbox.get(id);
    if (pending) return { status: pending.sentAt ? 'sent' : 'queued', id, delivered: pending.delivered, accepted: pending.acceptedPromise };
    frame.id = id;
    const text = this.encode(frame);
    const ttl = options.ttl ?? this.opts.deliveryTimeout;
    let entry: OutboxEntry;
    try {
      entry = this.outbox.add({ id, event, text, bytes: utf8ByteLength(text), expiresAt: ttl > 0 ? this.now() + ttl : 0 });
    } catch (err) {
      const error = HybridError.from(err, 'QUEUE_FULL');
      const refused = deliveryPromise();
      refused.settle(error);
      this.events.emit('undelivered', { id, event, reason: 'refused', error });
      return { ...this.refuse(frame, error), id, delivered: refused.promise, accepted: refused.promise };
    }
    if (entry.expiresAt) this.scheduleExpiry();
    const sent = this.current === 'open' && this.transmitText(text);
    if (sent) this.markSent(entry);
    return { status: sent ? 'sent' : 'queued', id, delivered: entry.delivered, accepted: entry.acceptedPromise };
  }

  /**
   * Sends text as it is, or any other value as its JSON text; queued while not open, like send().
   * The way to talk to a plain server; on the relay the text is forwarded as it is. Throws
   * BAD_REQUEST (not JSON-encodable) or PAYLOAD_TOO_LARGE (past maxFrameBytes).
   */
  sendRaw(value: unknown, options: { ttl?: number } = {}): SendResult {
    const text = rawText(value, this.opts.maxFrameBytes);
    if (this.current === 'open' && this.transmitText(text)) return { status: 'sent' };
    // `drop` events report a raw send as { type: RAW_FRAME_TYPE, data: text }.
    return this.enqueue({ frame: { type: RAW_FRAME_TYPE, data: text }, text }, options.ttl);
  }

  /** Calls a handler on the peer; rejects with TIMEOUT, QUEUE_FULL, OFFLINE (connection lost after sending) or CANCELLED (close()). */
  request<T = unknown>(api: string, params?: unknown, options: { to?: string; timeout?: number } = {}): Promise<T> {
    const frame: RequestFrame = { type: 'request', id: createId('r'), api, params };
    if (options.to !== undefined) frame.to = options.to;
    let text: string;
    try {
      if (this.plain) throw plainRefusal('request');
      checkName(api, 'api');
      text = this.encode(frame);
    } catch (err) {
      return Promise.reject(err);
    }
    const result = this.requests.add<T>(frame.id, options.timeout ?? this.opts.requestTimeout, api);
    if (this.current === 'open' && this.transmitText(text)) this.requests.markSent(frame.id, this.generation);
    else {
      const queued = this.enqueue({ frame, text });
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
    const text = this.encode(frame);
    const stream = this.streamCalls.start<T>(frame.id, api, { ...options, timeout: options.timeout ?? this.opts.requestTimeout });
    if (this.current !== 'open' || !this.transmitText(text)) {
      const queued = this.enqueue({ frame, text });
      if (queued.error) this.streamCalls.fail(frame.id, queued.error);
    }
    return stream;
  }

  stats(): SocketStats {
    return {
      state: this.current,
      generation: this.generation,
      attempts: this.counters.attempts,
      retries: this.backoff.attempts,
      queued: this.queue.length,
      queuedBytes: this.queue.bytes,
      unacked: this.outbox.size,
      dropped: this.counters.dropped,
      sent: this.counters.sent,
      received: this.counters.received,
      duplicates: this.counters.duplicates,
      replays: this.counters.replays,
      pendingRequests: this.requests.size,
      lastSeq: this.lastSeq,
      lastClose: this.lastClose,
      rtt: this.rtt,
    };
  }

  /** True while a timer or a task of this client is alive (for leak checks). */
  get busy(): boolean {
    return !!this.task || this.retryTimer.armed || this.connectTimer.armed || this.uptimeTimer.armed ||
      this.ackTimer.armed || this.closeTimer.armed || this.expiryTimer.armed || this.confirmTimer.armed || (!!this.heartbeat && this.heartbeat.running);
  }

  // ---- connection lifecycle ----

  private attempt(reason: string): void {
    this.retryTimer.clear();
    this.closeTimer.clear();
    const gen = ++this.generation;
    this.counters.attempts++;
    this.setState('connecting', reason);
    this.connectTimer.set(this.opts.connectTimeout, () => {
      if (gen === this.generation) this.lose({ code: CLIENT_CLOSE.timeout, reason: 'connect timeout' }, true);
    });
    try {
      const target = resolveTarget(this.options.target);
      if (isThenable<ConnectTarget>(target)) target.then((t) => this.createTask(gen, t), (err) => this.attemptFailed(gen, err));
      else this.createTask(gen, target);
    } catch (err) {
      this.attemptFailed(gen, err);
    }
  }

  private createTask(gen: number, target: ConnectTarget): void {
    if (gen !== this.generation) return;
    let made: SocketTaskLike | PromiseLike<SocketTaskLike>;
    try {
      // Our relay tells our clients from the old relay's clients by `v` (plain servers and old relays get the URL as given).
      made = this.options.transport(this.plain || this.options.legacyRelay ? target : withProtocolVersion(target, PROTOCOL_VERSION));
    } catch (err) {
      return this.attemptFailed(gen, err);
    }
    if (isThenable<SocketTaskLike>(made)) made.then((task) => this.adopt(gen, task), (err) => this.attemptFailed(gen, err));
    else this.adopt(gen, made);
  }

  /** Attaches all four listeners in the tick the task was created; callbacks of older generations are ignored. */
  private adopt(gen: number, task: SocketTaskLike): void {
    if (gen !== this.generation) return safeClose(task, CLIENT_CLOSE.replaced, 'superseded');
    if (!task || typeof task.onOpen !== 'function') {
      return this.attemptFailed(gen, new HybridError('BAD_REQUEST', 'transport did not return a socket task'));
    }
    this.task = task;
    task.onOpen(() => gen === this.generation && this.handleOpen());
    task.onMessage((res) => gen === this.generation && this.handleInbound(res && res.data));
    task.onError((res) => {
      if (gen !== this.generation) return;
      const errMsg = (res as { errMsg?: string } | undefined)?.errMsg || 'socket error';
      this.events.emit('error', new HybridError('OFFLINE', errMsg));
      this.lose({ code: 1006, reason: errMsg }, true);
    });
    task.onClose((res) => gen === this.generation && this.lose({ code: res?.code ?? 1005, reason: res?.reason ?? '' }, false));
  }

  private attemptFailed(gen: number, err: unknown): void {
    if (gen !== this.generation) return;
    const e = HybridError.from(err, 'OFFLINE');
    this.events.emit('error', e);
    this.lose({ code: 1006, reason: e.message }, true);
  }

  private handleOpen(): void {
    this.connectTimer.clear();
    this.setState('open', 'opened');
    // Resume first so the server replays what we missed before anything else goes out.
    if (!this.options.legacyRelay && !this.plain) this.transmit({ type: 'resume', lastSeq: this.lastSeq });
    // Messages the relay has not accepted go again now; accepted ones once hello says whether its store changed.
    this.receipts = false;
    for (const entry of this.outbox.list()) if (!entry.accepted && this.transmitText(entry.text)) this.markSent(entry);
    this.flushQueue();
    if (this.heartbeat) this.heartbeat.start();
    this.uptimeTimer.set(this.opts.minUptime, () => this.backoff.reset());
    this.events.emit('open', { generation: this.generation });
  }

  /** The live task is gone (closed, errored, timed out): decide between closed, waiting and failed. */
  private lose(close: SocketCloseInfo, closeTask: boolean): void {
    const lostGen = this.generation;
    const wasClosing = this.current === 'closing';
    if (closeTask) this.abandonTask(close.code, close.reason);
    else this.detachTask();
    this.lastClose = close;
    if (!wasClosing) this.requests.rejectSentOn(lostGen, new HybridError('OFFLINE', `connection lost before the response (${close.code} ${close.reason})`));
    if (wasClosing) {
      this.events.emit('close', { ...close, willReconnect: false });
      return this.finishClosed(close.reason || 'closed');
    }
    const forced = this.options.shouldReconnect ? this.options.shouldReconnect(close) : undefined;
    const decision = forced === undefined ? decideOnClose(close) : forced ? 'retry' : 'stop';
    this.events.emit('close', { ...close, willReconnect: decision === 'retry' });
    if (decision === 'stop') return this.finishClosed(`closed by server (${close.code})`);
    if (decision === 'terminal') return this.fail(`terminal close code ${close.code}`);
    const delay = this.backoff.next();
    if (delay === null) return this.fail(`gave up after ${this.backoff.attempts} retries`);
    this.setState('waiting', `${close.code} ${close.reason}`.trim());
    this.retryTimer.set(delay, () => this.attempt('retry'));
  }

  private fail(reason: string): void {
    this.setState('failed', reason);
    this.events.emit('failed', { reason, attempts: this.backoff.attempts, lastClose: this.lastClose });
  }

  private finishClosed(reason: string): void {
    this.closeTimer.clear();
    this.requests.rejectAll(new HybridError('CANCELLED', `socket closed (${reason})`));
    this.streamCalls.failAll(new HybridError('CANCELLED', `socket closed (${reason})`));
    this.streamServer.stopAll(new HybridError('CANCELLED', `socket closed (${reason})`));
    this.backoff.reset();
    this.setState('closed', reason);
  }

  /** Forget the task without closing it; later callbacks from it are ignored (generation bump). */
  private detachTask(): void {
    this.generation++;
    this.retryTimer.clear();
    this.task = undefined;
    this.stopConnectionTimers();
  }

  private abandonTask(code: number, reason: string): void {
    const task = this.task;
    this.detachTask();
    if (task) safeClose(task, code, reason);
  }

  private stopConnectionTimers(): void {
    this.connectTimer.clear();
    this.uptimeTimer.clear();
    this.ackTimer.clear();
    this.confirmTimer.clear();
    if (this.heartbeat) this.heartbeat.stop();
  }

  private setState(to: SocketState, reason: string): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    this.events.emit('state', { from, to, reason });
  }

  // ---- outbound helpers ----

  private encode(frame: Frame): string {
    if (!frame || typeof frame !== 'object' || typeof frame.type !== 'string' || !frame.type) {
      throw new HybridError('BAD_REQUEST', 'a frame must be an object with a non-empty string "type"');
    }
    return encodeFrame(frame, this.frameLimits);
  }

  /** A ping that also confirms every frame up to `lastSeq` (the relay trims its backlog). */
  private confirm(ts?: number): void {
    this.unconfirmed = 0;
    this.transmit(ts === undefined ? { type: 'ping', lastSeq: this.lastSeq } : { type: 'ping', ts, lastSeq: this.lastSeq });
  }

  /** One cumulative confirmation after this turn's frames were handed to the app. */
  private confirmSoon(): void {
    if (this.confirmTimer.armed) return;
    this.confirmTimer.set(0, () => {
      this.unconfirmed = 0;
      this.transmit({ type: 'resume', lastSeq: this.lastSeq });
    });
  }

  private transmit(frame: KnownFrame): boolean {
    return this.transmitText(encodeFrame(frame));
  }

  private transmitText(text: string): boolean {
    if (!this.task || this.current !== 'open') return false;
    try {
      this.task.send({ data: text });
    } catch {
      return false;
    }
    this.counters.sent++;
    return true;
  }

  private enqueue(item: QueuedFrame, ttl?: number): SendResult {
    try {
      const result = this.queue.push(item, { bytes: utf8ByteLength(item.text), ttl });
      for (const old of result.dropped) if (old !== item) this.dropped(old.frame, 'overflow');
      if (result.accepted) return { status: 'queued' };
      return this.refuse(item.frame, new HybridError('QUEUE_FULL', 'send queue is full (drop-newest)'));
    } catch (err) {
      return this.refuse(item.frame, HybridError.from(err, 'QUEUE_FULL'));
    }
  }

  private refuse(frame: Frame, error: HybridError): SendRefused {
    this.dropped(frame, 'refused');
    return { status: 'refused', error };
  }

  private dropped(frame: Frame, reason: DropReason): void {
    this.counters.dropped++;
    if (frame.type === 'request') this.requests.reject((frame as RequestFrame).id, new HybridError('QUEUE_FULL', 'request dropped from the send queue'));
    this.events.emit('drop', { frame, reason });
  }

  private flushQueue(): void {
    for (const old of this.queue.pruneExpired()) this.dropped(old.frame, 'expired');
    const items = this.queue.drain();
    for (let i = 0; i < items.length; i++) {
      // A request whose caller gave up (TIMEOUT) while it waited is never sent: no handler runs for nobody.
      const frame = items[i].frame;
      if (frame.type === 'request' && !this.requests.has((frame as RequestFrame).id)) {
        this.dropped(frame, 'expired');
        continue;
      }
      if (!this.transmitText(items[i].text)) {
        this.queue.unshift(items.slice(i), (it) => utf8ByteLength(it.text));
        return;
      }
      if (items[i].frame.type === 'request') this.requests.markSent((items[i].frame as RequestFrame).id, this.generation);
    }
  }

  private markSent(entry: { sentAt: number; attempts: number }): void {
    entry.sentAt = this.now();
    entry.attempts++;
    if (!this.ackTimer.armed) this.ackTimer.set(this.opts.ackTimeout, () => this.resendUnacked());
  }

  /** A relay that restarted without its store (or an old relay) lost what it accepted: send it again (the peer dedupes). */
  private onHello(frame: HelloFrame): void {
    this.receipts = frame.receipts === true;
    const sameStore = this.receipts && frame.store !== undefined && frame.store === this.store;
    this.store = frame.store;
    if (sameStore) return;
    for (const entry of this.outbox.list()) {
      if (!entry.accepted) continue;
      entry.accepted = false;
      if (this.transmitText(entry.text)) this.markSent(entry);
    }
  }

  /** An ack: from the relay of this kit it means accepted; from a peer or an old relay, delivered. */
  private onAck(frame: AckFrame): void {
    if (!this.receipts || frame.from !== undefined) return this.acked(frame.id);
    const entry = this.outbox.get(frame.id);
    if (!entry || entry.accepted) return;
    entry.accepted = true;
    entry.settleAccepted();
    this.events.emit('accepted', { id: entry.id, event: entry.event });
  }

  /** The outcome of a reliable message: removed from the window, then exactly one event. */
  private acked(id: string): void {
    const entry = this.outbox.remove(id);
    if (!entry) return; // a late second ack, or not ours
    entry.settleAccepted();
    entry.settle();
    this.events.emit('ack', { id, event: entry.event });
    if (entry.expiresAt) this.scheduleExpiry();
  }

  private giveUp(entry: OutboxEntry, reason: UndeliveredReason, error: HybridError): void {
    if (this.outbox.remove(entry.id) !== entry) return;
    entry.settleAccepted(error);
    entry.settle(error);
    this.events.emit('undelivered', { id: entry.id, event: entry.event, reason, error });
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
    if (this.current !== 'open') return;
    for (const entry of this.outbox.due(this.now() - this.opts.ackTimeout)) if (this.transmitText(entry.text)) this.markSent(entry);
    if (this.outbox.size && !this.ackTimer.armed) this.ackTimer.set(this.opts.ackTimeout, () => this.resendUnacked());
  }

  // ---- inbound ----

  private handleInbound(data: unknown): void {
    if (this.heartbeat) this.heartbeat.alive();
    if (this.plain) return this.handlePlain(data);
    if (typeof data !== 'string') {
      if (data && typeof data === 'object') this.events.emit('binary', data as ArrayBuffer);
      return;
    }
    let frame: Frame;
    try {
      frame = decodeInbound(data, this.frameLimits);
    } catch (err) {
      this.events.emit('error', HybridError.from(err, 'BAD_REQUEST'));
      // Not a frame of ours: still handed to whoever listens for what the server sent.
      const raw = readRaw(data);
      if (raw) this.events.emit('raw', raw);
      return;
    }
    const seq = (frame as { seq?: unknown }).seq;
    if (typeof seq === 'number') {
      if (seq <= this.lastSeq) {
        this.counters.replays++;
        return;
      }
      this.lastSeq = seq;
      if (this.receipts) this.confirmSoon();
      else if (this.confirmEvery > 0 && ++this.unconfirmed >= this.confirmEvery) this.confirm();
    }
    this.counters.received++;
    if (isKnownFrame(frame)) this.handleKnown(frame);
    else this.deliver(frame, frame.type);
  }

  /** Plain mode: the heartbeat reply is swallowed; everything else is a `raw` event. */
  private handlePlain(data: unknown): void {
    const heartbeat = this.options.plainHeartbeat;
    if (heartbeat && heartbeat.reply !== undefined && data === heartbeat.reply) return;
    if (typeof data === 'string' && utf8ByteLength(data) > this.opts.maxFrameBytes) {
      this.events.emit('error', new HybridError('PAYLOAD_TOO_LARGE', `inbound frame is past ${this.opts.maxFrameBytes} bytes`));
      return;
    }
    const raw = readRaw(data);
    if (!raw) return;
    this.counters.received++;
    if (typeof raw.data !== 'string') this.events.emit('binary', raw.data);
    this.events.emit('raw', raw);
  }

  private handleKnown(frame: KnownFrame): void {
    switch (frame.type) {
      case 'pong':
        if (typeof frame.ts === 'number') this.rtt = Math.max(0, this.now() - frame.ts);
        return;
      case 'ping':
        this.transmit({ type: 'pong', ts: frame.ts });
        return;
      case 'ack':
        return this.onAck(frame);
      case 'delivered':
        for (const id of frame.ids) this.acked(id);
        return;
      case 'hello':
        this.onHello(frame);
        return this.events.emit('hello', frame);
      case 'presence':
        this.streamCalls.presence(frame);
        this.streamServer.presence(frame);
        return this.events.emit('presence', frame);
      case 'error':
        return this.handleServerError(frame);
      case 'request':
        return this.serve(frame);
      case 'response':
        if (!this.streamCalls.response(frame)) this.requests.settle(frame);
        return;
      case 'chunk':
        this.streamCalls.chunk(frame);
        return;
      case 'cancel':
        return this.streamServer.cancel(frame);
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
      if (!this.receipts) {
        const ack: AckFrame = { type: 'ack', id: frame.id };
        if (frame.from !== undefined) ack.to = frame.from;
        this.send(ack);
      }
      if (this.dedupe.check(frame.id)) {
        this.counters.duplicates++;
        return;
      }
    }
    this.events.emit('message', frame);
    if (frame.event !== undefined) this.deliver(frame, frame.event);
    else this.events.emit('frame', frame);
  }

  private deliver(frame: Frame, name: string): void {
    this.events.emit('frame', frame);
    this.subscriptions.emit(name, frame);
  }

  private handleServerError(frame: ErrorFrame): void {
    if (frame.id !== undefined) {
      const error = new HybridError(frame.code, frame.message);
      this.requests.reject(frame.id, error);
      this.streamCalls.fail(frame.id, error);
      // A refused reliable message is final unless the refusal is temporary (rate limit): then the ack timer resends it.
      const entry = frame.code !== 'RATE_LIMITED' ? this.outbox.get(frame.id) : undefined;
      // A stamped error (with `from`) reports a message the relay accepted and then had to let go.
      if (entry) this.giveUp(entry, (frame as { from?: string }).from !== undefined ? 'lost' : 'refused', error);
    }
    this.events.emit('server-error', frame);
  }

  /** Sends an answer (response or chunk); one that cannot be encoded (too large, cyclic) becomes that error. */
  private sendAnswer(frame: ResponseFrame | ChunkFrame): void {
    try {
      this.send(frame);
    } catch (err) {
      this.send({ type: 'response', id: frame.id, to: frame.to, ok: false, error: HybridError.from(err).toJSON() });
    }
  }

  private serve(frame: RequestFrame): void {
    const reply = (body: { ok: true; data: unknown } | { ok: false; error: { code: HybridError['code']; message: string } }) => {
      const response: ResponseFrame = { type: 'response', id: frame.id, ...body };
      if (frame.from !== undefined) response.to = frame.from;
      this.sendAnswer(response);
    };
    const top = this.requestHandlers[this.requestHandlers.length - 1];
    const handler = top && top.handler;
    if (!handler) return reply({ ok: false, error: { code: 'METHOD_NOT_FOUND', message: `no request handler for "${frame.api}"` } });
    new Promise((resolve) => resolve(handler(frame.api, frame.params, frame))).then(
      (data) => {
        if (!isAsyncIterable(data)) return reply({ ok: true, data });
        if (frame.stream) return this.streamServer.start(frame, data);
        reply({ ok: false, error: { code: 'BAD_REQUEST', message: `"${frame.api}" answers with a stream: call it with requestStream()` } });
      },
      (err) => reply({ ok: false, error: HybridError.from(err).toJSON() }),
    );
  }
}

function plainRefusal(method: string): HybridError {
  return new HybridError('BAD_REQUEST', `${method}() needs the hybrid protocol; this client is in plain mode (use sendRaw())`);
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

/** SocketTask.close accepts 1000 or 3000–4999 and a reason of at most 123 UTF-8 bytes. */
function safeClose(task: SocketTaskLike, code: number, reason: string): void {
  const validCode = isClosableByClient(code) ? code : CLIENT_CLOSE.timeout;
  let shortReason = reason;
  while (utf8ByteLength(shortReason) > 123) shortReason = shortReason.slice(0, -1);
  try {
    task.close({ code: validCode, reason: shortReason });
  } catch {
    // A task that is already closed (or never opened) may throw on some base libraries.
  }
}
