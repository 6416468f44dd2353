import { OneShot } from './timers';

export interface HeartbeatOptions {
  /** Ping every `interval` ms while open. */
  interval: number;
  /** No inbound frame within `timeout` ms after a ping: the connection is half-open. */
  timeout: number;
  now: () => number;
}

/**
 * App-level heartbeat (SocketTask has no ping API). Any inbound frame counts as alive. The
 * wall-clock check catches timers that were suspended in the background: after a resume, a gap
 * longer than interval + timeout since the last inbound frame means the connection is dead.
 */
export class Heartbeat {
  private readonly tick = new OneShot();
  private readonly deadline = new OneShot();
  private lastInbound = 0;

  constructor(
    private readonly options: HeartbeatOptions,
    private readonly sendPing: () => void,
    private readonly onDead: (reason: string) => void,
  ) {}

  get running(): boolean {
    return this.tick.armed || this.deadline.armed;
  }

  start(): void {
    this.lastInbound = this.options.now();
    this.schedule();
  }

  stop(): void {
    this.tick.clear();
    this.deadline.clear();
  }

  /** Any inbound frame. */
  alive(): void {
    this.lastInbound = this.options.now();
    this.deadline.clear();
  }

  /** Wall-clock check (app shown again, network back): dead now, or probe with a ping. */
  check(): void {
    if (this.isStale()) this.die('no inbound frame since before the pause');
    else this.probe();
  }

  private schedule(): void {
    // A late tick (suspended or busy thread) only probes: the connection may well be alive, and
    // the pong deadline decides. check() is the strict variant, for an explicit resume signal.
    this.tick.set(this.options.interval, () => {
      this.probe();
      this.schedule();
    });
  }

  private probe(): void {
    this.sendPing();
    if (!this.deadline.armed) this.deadline.set(this.options.timeout, () => this.die('pong timeout'));
  }

  private isStale(): boolean {
    return this.options.now() - this.lastInbound > this.options.interval + this.options.timeout;
  }

  private die(reason: string): void {
    this.stop();
    this.onDead(reason);
  }
}
