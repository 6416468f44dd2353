/**
 * Frames from clients: rate limit, decode within the frame limits, answer protocol frames (ping,
 * resume) and route the rest through the hub with the sender's env spliced in.
 */
import type { RawData } from 'ws';
import { BATCH_BYTE, BATCH_MAX_FRAMES, splitBatch } from '../core/batch';
import { HybridError } from '../core/errors';
import { decodeFrame, errorFrame, Frame, KnownFrame } from '../core/frames';
import { ENV_PATTERN } from './admission';
import { SERVER_ONLY_TYPES } from '../core/protocol/frame-types';
import { CLOSE_CODES, Connection } from './connection';
import type { Outlet, Replayer } from './delivery';
import type { Hub } from './hub';
import type { RelayMetrics } from './metrics';
import type { RelayOptions } from './options';
import { takeToken } from './rate-limit';
import { rawTextFrame } from './legacy-clients';

type Routing = { to?: string; from?: string; seq?: number };
/** Bytes the relay adds to a forwarded frame besides `"from":"<env>",`: `"seq":<up to 16 digits>,`. */
export const STAMP_BYTES = '"seq":,'.length + 16;

export interface IntakeParts {
  options: Pick<RelayOptions, 'maxFrameBytes' | 'ratePerSecond' | 'rateBurst'>;
  metrics: RelayMetrics;
  outlet: Outlet;
  replayer: Replayer;
  hub: Pick<Hub, 'forward' | 'confirm'>;
}

export class Intake {
  private readonly limit: { perSecond: number; burst: number };
  private readonly frameLimits: { maxFrameBytes: number };

  constructor(private readonly parts: IntakeParts) {
    this.limit = { perSecond: parts.options.ratePerSecond, burst: parts.options.rateBurst };
    this.frameLimits = { maxFrameBytes: parts.options.maxFrameBytes };
  }

  /** One WebSocket message from `conn`: a frame, or a batch of frames from a client of this protocol (core/batch.ts). */
  onFrame(conn: Connection, data: RawData, isBinary: boolean): void {
    if (conn.state === 'closed') return;
    if (!isBinary && !conn.legacy && (data as Buffer)[0] === BATCH_BYTE) return this.onBatch(conn, data.toString());
    this.take(conn, data, isBinary, (data as Buffer).length);
  }

  /** Each frame of a batch is taken in order as if it came alone: same frame limits, one rate-limit token each. */
  private onBatch(conn: Connection, text: string): void {
    let texts: string[];
    try {
      texts = splitBatch(text, BATCH_MAX_FRAMES);
    } catch (err) {
      this.parts.metrics.messagesReceived++;
      return this.refuse(conn, err);
    }
    // 3 bytes per UTF-16 unit bound a frame's size (route() measures exactly only near the limit).
    for (const piece of texts) if (conn.state !== 'closed') this.take(conn, piece, false, piece.length * 3);
  }

  /** One frame (`bytes`: its size in bytes, or a bound above it). */
  private take(conn: Connection, data: RawData | string, isBinary: boolean, bytes: number): void {
    const receivedAt = performance.now();
    const { metrics, outlet, hub, replayer } = this.parts;
    metrics.messagesReceived++;
    if (!takeToken(conn, this.limit, Date.now())) return this.rateLimited(conn, data, isBinary);
    conn.strikes = 0;
    if (isBinary) return this.refuse(conn, new HybridError('BAD_REQUEST', 'binary frames are not accepted: send JSON text'));
    const text = data.toString();
    let frame: Frame;
    try {
      frame = decodeFrame(text, this.frameLimits);
    } catch (err) {
      // An old client's text that is not one of our frames (plain text, JSON without `type`) is relayed as it was.
      if (conn.legacy) return this.relayRawText(conn, text, receivedAt);
      const details = (err as HybridError).details as { id?: string } | undefined;
      return this.refuse(conn, err, details?.id);
    }
    const known = frame as KnownFrame;
    switch (known.type) {
      case 'ping':
        outlet.control(conn, known.ts === undefined ? { type: 'pong' } : { type: 'pong', ts: known.ts });
        if (known.lastSeq !== undefined) hub.confirm(conn.key, conn.env, known.lastSeq);
        return;
      case 'pong':
        return;
      case 'resume':
        if (known.batch === true && !conn.legacy) conn.batchOut = true;
        if (conn.state === 'pending') replayer.startLive(conn, known.lastSeq);
        else hub.confirm(conn.key, conn.env, known.lastSeq);
        return;
      default:
        if ((SERVER_ONLY_TYPES as readonly string[]).indexOf(frame.type) >= 0) {
          return this.refuse(conn, new HybridError('BAD_REQUEST', `"${frame.type}" frames are sent by the server only`), idOf(frame));
        }
        this.route(conn, frame, text, receivedAt, bytes);
    }
  }

  private route(conn: Connection, frame: Frame, text: string, receivedAt: number, bytes: number): void {
    const { metrics, outlet, hub, replayer } = this.parts;
    // A client that talks before sending `resume` is a plain one: serve it live now.
    if (conn.state === 'pending') replayer.startLive(conn, null);
    const to = (frame as Routing).to;
    if (to !== undefined && (!ENV_PATTERN.test(to) || to === conn.env)) {
      return this.refuse(conn, new HybridError('BAD_REQUEST', to === conn.env ? '"to" names the sender itself' : `"to" is not a valid env: ${to}`), idOf(frame));
    }
    const tail = conn.fromField + innerJson(frame, text);
    // Refused now, never acked and then dropped by the receiver for being too large once stamped.
    const max = this.frameLimits.maxFrameBytes;
    if (bytes + conn.fromField.length + STAMP_BYTES > max && Buffer.byteLength(tail) + 1 + STAMP_BYTES > max) {
      return this.refuse(conn, new HybridError('PAYLOAD_TOO_LARGE', `with "from" and "seq" added this frame would pass ${max} bytes; send at most ${max - conn.fromField.length - STAMP_BYTES - 1} bytes`), idOf(frame));
    }
    const ackId = frame.type === 'message' ? idOf(frame) : undefined;
    outlet.receivedAt = receivedAt;
    hub.forward(conn.key, conn.env, to, tail, (err) => {
      if (err) {
        metrics.rejects.offline++;
        outlet.control(conn, errorFrame(err, idOf(frame)));
      } else if (ackId !== undefined) {
        if (conn.joined) outlet.ack(conn, ackId);
        else (conn.heldAcks || (conn.heldAcks = [])).push(ackId);
        metrics.acked(performance.now() - receivedAt);
      }
    }, ackId);
    outlet.receivedAt = undefined;
  }

  private relayRawText(conn: Connection, text: string, receivedAt: number): void {
    const wrapped = rawTextFrame(text);
    let frame: Frame;
    try {
      frame = decodeFrame(wrapped, this.frameLimits);
    } catch (err) {
      return this.refuse(conn, err); // past the frame limit once wrapped
    }
    this.route(conn, frame, wrapped, receivedAt, Buffer.byteLength(wrapped));
  }

  private rateLimited(conn: Connection, data: RawData | string, isBinary: boolean): void {
    const { metrics, outlet, options } = this.parts;
    metrics.rejects.rate_limited++;
    if (++conn.strikes > options.rateBurst) return outlet.close(conn, CLOSE_CODES.rateLimited, 'rate limit exceeded');
    let id: string | undefined;
    if (!isBinary) {
      try {
        id = idOf(decodeFrame(data.toString(), this.frameLimits));
      } catch {
        id = undefined;
      }
    }
    outlet.control(conn, errorFrame(new HybridError('RATE_LIMITED', `more than ${options.ratePerSecond} frames per second; frame dropped`), id));
  }

  private refuse(conn: Connection, err: unknown, id?: string): void {
    this.parts.metrics.rejects.bad_frame++;
    this.parts.outlet.control(conn, errorFrame(err, id));
  }
}

function idOf(frame: Frame): string | undefined {
  const id = (frame as { id?: unknown }).id;
  return typeof id === 'string' ? id : undefined;
}

/** The frame's JSON without its opening brace, minus any `from`/`seq` a client tried to set. */
export function innerJson(frame: Frame, text: string): string {
  if ((frame as Routing).from !== undefined || (frame as Routing).seq !== undefined) {
    const { from: _from, seq: _seq, ...rest } = frame as Record<string, unknown>;
    return JSON.stringify(rest).slice(1);
  }
  return text.slice(text.indexOf('{') + 1);
}
