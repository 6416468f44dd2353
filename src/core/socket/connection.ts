/**
 * The connection state machine of SocketClient: one live task at a time, explicit states,
 * full-jitter reconnect, and a generation number so a task's late callbacks are ignored once a
 * newer task exists. What happens on open, on an inbound frame and when the connection ends is
 * the client's business: it is handed in as hooks.
 */
import { Backoff } from '../backoff';
import { utf8ByteLength } from '../bytes';
import { Emitter } from '../emitter';
import { HybridError } from '../errors';
import { PROTOCOL_VERSION } from '../limits';
import { isClosableByClient } from '../protocol/close-codes';
import { CLIENT_CLOSE, decideOnClose } from './close-policy';
import { SocketClientEvents, SocketClientOptions, SocketState } from './client-types';
import { resolveTarget, withProtocolVersion } from './target';
import { OneShot } from './timers';
import { ConnectTarget, isThenable, SocketCloseInfo, SocketTaskLike } from './transport';

/** What the client does at each turn of the connection's life. */
export interface ConnectionHooks {
  /** The task opened (state is already 'open'): resume, resend, flush, start the heartbeat. */
  opened(): void;
  inbound(data: unknown): void;
  /** Before the task is closed or dropped: hand it what this turn still holds for it. */
  flushWrites(): void;
  /** Stop the timers that only make sense while connected (acks, confirmations, heartbeat). */
  stopTimers(): void;
  /** The connection of `generation` is gone without a close(): its requests lost their response. */
  lost(generation: number, close: SocketCloseInfo): void;
  /** The connection is over for good (closed, destroyed): settle what waits on it. */
  finished(reason: string): void;
}

type Timings = { connectTimeout: number; closeTimeout: number; minUptime: number };

export class Connection {
  private current: SocketState = 'idle';
  private liveTask: SocketTaskLike | undefined;
  private gen = 0;
  private readonly retryTimer = new OneShot();
  private readonly connectTimer = new OneShot();
  private readonly uptimeTimer = new OneShot();
  private readonly closeTimer = new OneShot();
  attempts = 0;
  lastClose: SocketCloseInfo | undefined;

  constructor(
    private readonly options: SocketClientOptions,
    private readonly timings: Timings,
    readonly backoff: Backoff,
    private readonly events: Emitter<SocketClientEvents>,
    private readonly hooks: ConnectionHooks,
  ) {}

  get state(): SocketState {
    return this.current;
  }

  get task(): SocketTaskLike | undefined {
    return this.liveTask;
  }

  get generation(): number {
    return this.gen;
  }

  get open(): boolean {
    return this.current === 'open' && !!this.liveTask;
  }

  get busy(): boolean {
    return !!this.liveTask || this.retryTimer.armed || this.connectTimer.armed || this.uptimeTimer.armed || this.closeTimer.armed;
  }

  // ---- control (SocketClient's public methods) ----

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

  close(code: number, reason: string): void {
    this.retryTimer.clear();
    if (this.liveTask && (this.current === 'open' || this.current === 'connecting')) {
      const gen = this.gen;
      this.hooks.flushWrites();
      this.stopConnectionTimers();
      this.setState('closing', reason);
      safeClose(this.liveTask, code, reason);
      this.closeTimer.set(this.timings.closeTimeout, () => {
        if (gen === this.gen) this.lose({ code, reason }, false);
      });
      return;
    }
    if (this.current === 'closing') return;
    this.abandonTask(code, reason);
    this.finishClosed(reason);
  }

  reconnect(reason: string): void {
    this.abandonTask(CLIENT_CLOSE.replaced, reason);
    this.backoff.reset();
    this.attempt(reason);
  }

  /** Drops the connection without retrying; returns the generation that was dropped (undefined: nothing to pause). */
  pause(reason: string): number | undefined {
    if (this.current === 'closed' || this.current === 'idle' || this.current === 'failed' || this.current === 'paused') return undefined;
    const gen = this.gen;
    this.abandonTask(CLIENT_CLOSE.normal, reason);
    this.setState('paused', reason);
    return gen;
  }

  resume(reason: string): void {
    if (this.current !== 'paused') return;
    this.backoff.reset();
    this.attempt(reason);
  }

  destroy(): void {
    this.abandonTask(CLIENT_CLOSE.normal, 'destroyed');
    this.finishClosed('destroyed');
  }

  /** The live task is gone (closed, errored, timed out): decide between closed, waiting and failed. */
  lose(close: SocketCloseInfo, closeTask: boolean): void {
    const lostGen = this.gen;
    const wasClosing = this.current === 'closing';
    if (closeTask) this.abandonTask(close.code, close.reason);
    else this.detachTask();
    this.lastClose = close;
    if (wasClosing) {
      this.events.emit('close', { ...close, willReconnect: false });
      return this.finishClosed(close.reason || 'closed');
    }
    this.hooks.lost(lostGen, close);
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

  // ---- one attempt ----

  private attempt(reason: string): void {
    this.retryTimer.clear();
    this.closeTimer.clear();
    const gen = ++this.gen;
    this.attempts++;
    this.setState('connecting', reason);
    this.connectTimer.set(this.timings.connectTimeout, () => {
      if (gen === this.gen) this.lose({ code: CLIENT_CLOSE.timeout, reason: 'connect timeout' }, true);
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
    if (gen !== this.gen) return;
    let made: SocketTaskLike | PromiseLike<SocketTaskLike>;
    try {
      // Our relay tells our clients from the old relay's clients by `v` (plain servers and old relays get the URL as given).
      const plain = this.options.protocol === 'plain';
      made = this.options.transport(plain || this.options.legacyRelay ? target : withProtocolVersion(target, PROTOCOL_VERSION));
    } catch (err) {
      return this.attemptFailed(gen, err);
    }
    if (isThenable<SocketTaskLike>(made)) made.then((task) => this.adopt(gen, task), (err) => this.attemptFailed(gen, err));
    else this.adopt(gen, made);
  }

  /** Attaches all four listeners in the tick the task was created; callbacks of older generations are ignored. */
  private adopt(gen: number, task: SocketTaskLike): void {
    if (gen !== this.gen) return safeClose(task, CLIENT_CLOSE.replaced, 'superseded');
    if (!task || typeof task.onOpen !== 'function') {
      return this.attemptFailed(gen, new HybridError('BAD_REQUEST', 'transport did not return a socket task'));
    }
    this.liveTask = task;
    task.onOpen(() => gen === this.gen && this.handleOpen());
    task.onMessage((res) => gen === this.gen && this.hooks.inbound(res && res.data));
    task.onError((res) => {
      if (gen !== this.gen) return;
      const errMsg = (res as { errMsg?: string } | undefined)?.errMsg || 'socket error';
      this.events.emit('error', new HybridError('OFFLINE', errMsg));
      this.lose({ code: 1006, reason: errMsg }, true);
    });
    task.onClose((res) => gen === this.gen && this.lose({ code: res?.code ?? 1005, reason: res?.reason ?? '' }, false));
  }

  private attemptFailed(gen: number, err: unknown): void {
    if (gen !== this.gen) return;
    const e = HybridError.from(err, 'OFFLINE');
    this.events.emit('error', e);
    this.lose({ code: 1006, reason: e.message }, true);
  }

  private handleOpen(): void {
    this.connectTimer.clear();
    this.setState('open', 'opened');
    this.hooks.opened();
    this.uptimeTimer.set(this.timings.minUptime, () => this.backoff.reset());
    this.events.emit('open', { generation: this.gen });
  }

  // ---- endings ----

  private fail(reason: string): void {
    this.setState('failed', reason);
    this.events.emit('failed', { reason, attempts: this.backoff.attempts, lastClose: this.lastClose });
  }

  private finishClosed(reason: string): void {
    this.closeTimer.clear();
    this.hooks.finished(reason);
    this.backoff.reset();
    this.setState('closed', reason);
  }

  /** Forget the task without closing it; later callbacks from it are ignored (generation bump). */
  private detachTask(): void {
    if (this.liveTask) this.hooks.flushWrites();
    this.gen++;
    this.retryTimer.clear();
    this.liveTask = undefined;
    this.stopConnectionTimers();
  }

  private abandonTask(code: number, reason: string): void {
    const task = this.liveTask;
    this.detachTask();
    if (task) safeClose(task, code, reason);
  }

  private stopConnectionTimers(): void {
    this.connectTimer.clear();
    this.uptimeTimer.clear();
    this.hooks.stopTimers();
  }

  private setState(to: SocketState, reason: string): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    this.events.emit('state', { from, to, reason });
  }
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
