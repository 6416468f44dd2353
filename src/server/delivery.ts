/**
 * Frames to clients: the outlet writes control and stamped frames to sockets (batched per read, in a
 * microtask: see send-batch.ts; slow consumers closed), and the replayer sends a reconnecting client its backlog before it goes live.
 */
import { WebSocket } from 'ws';
import type { Frame } from '../core/frames';
import { CLOSE_CODES, Connection } from './connection';
import type { Hub } from './hub';
import type { RelayMetrics } from './metrics';
import { BATCH_MAX_FRAMES, BATCH_SEPARATOR } from '../core/batch';
import { SendBatcher } from './send-batch';
import { legacyFrameText } from './legacy-clients';

/** A batch message to a client is released once it holds this many UTF-16 units (one frame may pass it alone). */
const BATCH_OUT_CHARS = 64 * 1024;

export class Outlet {
  /** Called when a frame was written to (or passed over for) an old client: the relay confirms it in its stead. */
  legacyWritten: ((conn: Connection, seq: number) => void) | null = null;
  private readonly batcher = new SendBatcher();
  /** Connections with texts held for this turn's batch message. */
  private holding: Connection[] = [];
  private flushScheduled = false;
  private readonly flushNow = () => this.flush();
  /**
   * performance.now() when the frame being routed was received, while the hub forwards it
   * synchronously (memory hub): frames written meanwhile are timed for the forward latency
   * histogram. Undefined otherwise (Redis deliveries, replays): counted, not timed.
   */
  receivedAt: number | undefined = undefined;

  constructor(private readonly maxBufferedBytes: number, private readonly metrics: RelayMetrics) {}

  /** A frame of the relay's own (hello, ack, error, presence, pong); an old client never gets one. */
  control(conn: Connection, frame: Frame): void {
    if (conn.state !== 'closed' && !conn.legacy) this.send(conn, JSON.stringify(frame));
  }

  /** The relay's ack of a message it accepted (the text built directly: one per reliable message). */
  ack(conn: Connection, id: string): void {
    if (conn.state !== 'closed' && !conn.legacy) this.send(conn, '{"type":"ack","id":' + JSON.stringify(id) + '}');
  }

  /** A stamped frame from the hub: written when live, held while replaying, left to the backlog before. */
  stamped(conn: Connection, seq: number, text: string): void {
    if (conn.state === 'live') this.sendStamped(conn, seq, text);
    else if (conn.state === 'replaying') conn.held!.push([seq, text]);
  }

  /** Writes a stamped frame unless this socket already got that seq. */
  sendStamped(conn: Connection, seq: number, text: string): void {
    if (seq <= conn.sentSeq) return;
    // An old client gets the old relay's shape (legacy-clients.ts); a frame it never knew is passed over.
    const out = conn.legacy ? legacyFrameText(text) : text;
    if (out === undefined) {
      conn.sentSeq = seq;
      if (this.legacyWritten) this.legacyWritten(conn, seq);
      return;
    }
    if (this.send(conn, out)) {
      conn.sentSeq = seq;
      // An old client never confirms: written to its socket is all the relay can know (as the old relay).
      if (conn.legacy && this.legacyWritten) this.legacyWritten(conn, seq);
      this.metrics.forwarded(this.receivedAt === undefined ? undefined : performance.now() - this.receivedAt);
    }
  }

  /**
   * Writes text to the socket with the others of this turn; closes a consumer that does not read (4009).
   * A client that takes batches gets this turn's texts as one batch message (one WebSocket message,
   * one parse call on its side: on WeChat each message is a bridge event).
   */
  send(conn: Connection, text: string): boolean {
    if (conn.ws.readyState !== WebSocket.OPEN) return false;
    if (conn.ws.bufferedAmount > this.maxBufferedBytes) {
      this.metrics.drops.slow_consumer++;
      this.close(conn, CLOSE_CODES.slowConsumer, 'slow consumer: send buffer full');
      return false;
    }
    if (conn.batchOut) {
      this.hold(conn, text);
    } else {
      this.batcher.hold(conn.ws);
      conn.ws.send(text);
    }
    return true;
  }

  /** Server-initiated close (counted by code); what this turn held for it goes first. */
  close(conn: Connection, code: number, reason: string): void {
    if (conn.state === 'closed') return;
    this.release(conn);
    this.metrics.close(code);
    conn.close(code, reason);
  }

  /** Writes everything held now (end of the read that wrote it, and before closing). */
  flush(): void {
    this.flushScheduled = false;
    const conns = this.holding;
    this.holding = [];
    for (const conn of conns) {
      this.release(conn);
      conn.outgoing = null;
    }
    this.batcher.flush();
  }

  /** `conn.outgoing` is non-null exactly while `conn` is in `holding`. */
  private hold(conn: Connection, text: string): void {
    if (!conn.outgoing) {
      conn.outgoing = [];
      this.holding.push(conn);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        queueMicrotask(this.flushNow);
      }
    }
    conn.outgoing.push(text);
    conn.outgoingChars += text.length;
    if (conn.outgoing.length >= BATCH_MAX_FRAMES || conn.outgoingChars >= BATCH_OUT_CHARS) this.release(conn);
  }

  /** Writes the texts held for `conn`: one as it is, several as one batch message. */
  private release(conn: Connection): void {
    const texts = conn.outgoing;
    if (!texts || !texts.length) return;
    conn.outgoing = [];
    conn.outgoingChars = 0;
    // Already one message per turn: no cork (SendBatcher) needed around it.
    if (conn.ws.readyState === WebSocket.OPEN) conn.ws.send(texts.length === 1 ? texts[0] : BATCH_SEPARATOR + texts.join(BATCH_SEPARATOR));
  }
}

export class Replayer {
  constructor(private readonly outlet: Outlet, private readonly hub: Pick<Hub, 'replay'>) {}

  /** Replays the backlog after `after` (null: after what the last connection of this env got), then goes live. */
  startLive(conn: Connection, after: number | null): void {
    if (conn.state !== 'pending') return;
    if (!conn.joined) {
      // A frame sent right after `resume` (null) must not erase the resume point it asked for:
      // replay would start from the last frame written to the old socket, not the last one read.
      if (after !== null || conn.resumeAfter === undefined) conn.resumeAfter = after;
      return;
    }
    if (conn.resumeTimer) clearTimeout(conn.resumeTimer);
    conn.resumeTimer = null;
    conn.state = 'replaying';
    conn.held = [];
    if (after !== null) conn.sentSeq = after;
    this.hub.replay(conn.key, conn.env, after, (frames) => {
      if (conn.state !== 'replaying') return;
      for (const [seq, text] of frames) this.outlet.sendStamped(conn, seq, text);
      for (const [seq, text] of conn.held!) this.outlet.sendStamped(conn, seq, text);
      conn.held = null;
      if (conn.state === 'replaying') conn.state = 'live';
    });
  }

  /** The hub registered the connection and `hello` is out: acks held until now, then a replay requested before. */
  joined(conn: Connection): void {
    conn.joined = true;
    if (conn.heldAcks) for (const id of conn.heldAcks) this.outlet.ack(conn, id);
    conn.heldAcks = null;
    if (conn.resumeAfter !== undefined) this.startLive(conn, conn.resumeAfter);
  }
}
