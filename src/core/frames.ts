/**
 * Socket frames: JSON text with a `type`. Shared by the mini program client, the H5 SDK and the
 * relay server. Frames in the format of the old express-ws relay (`{ type, data }` with any other
 * type) decode as LegacyFrame and are forwarded untouched.
 *
 * Routing: a client may set `to` (an env name); the server sets `from` (the sender's env) and
 * `seq` (a per token+env sequence the receiver confirms in `resume`/`ping` for replay).
 */
import { ErrorShape, HybridError, WireErrorCode } from './errors';
import { utf8ByteLength } from './bytes';
import { checkFrameFields } from './frame-checks';
import { isPlainObject, parseJson, stringifyJson } from './json';
import { LIMITS } from './limits';
import { FRAME_TYPES, FrameTypeName } from './protocol/frame-types';

export { FRAME_TYPES };

interface Routed {
  to?: string;
  from?: string;
  seq?: number;
}

/** An application message; with `id` it is reliable: the receiver (or the relay) answers with an ack. */
export interface MessageFrame<T = unknown> extends Routed {
  type: 'message';
  id?: string;
  event?: string;
  data?: T;
}
export interface AckFrame extends Routed {
  type: 'ack';
  id: string;
}
export interface PingFrame {
  type: 'ping';
  ts?: number;
  /** Highest `seq` the client has received: lets the server trim its backlog. */
  lastSeq?: number;
}
export interface PongFrame {
  type: 'pong';
  ts?: number;
}
export interface RequestFrame<P = unknown> extends Routed {
  type: 'request';
  id: string;
  api: string;
  params?: P;
  /** The caller takes the answer as a stream: `chunk` frames, then the `response` that ends it. */
  stream?: boolean;
}
export interface ResponseFrame<T = unknown> extends Routed {
  type: 'response';
  id: string;
  ok: boolean;
  data?: T;
  error?: ErrorShape;
  /** Ends a stream: how many chunk frames came before it. */
  chunks?: number;
}
/** Part of a streamed answer to request `id`: `n` counts the stream's chunk frames from 0; `data` holds its items in order. */
export interface ChunkFrame<T = unknown> extends Routed {
  type: 'chunk';
  id: string;
  n: number;
  data: T[];
}
/** The caller gives up request `id`: the handler is stopped and answers CANCELLED. */
export interface CancelFrame extends Routed {
  type: 'cancel';
  id: string;
}
/** Sent by the server when a peer env of the same token comes or goes. */
export interface PresenceFrame {
  type: 'presence';
  env: string;
  online: boolean;
}
/** Sent by the server once a connection is accepted. */
export interface HelloFrame {
  type: 'hello';
  v?: number;
  env?: string;
  /** Envs of the same token that are online now. */
  peers?: string[];
  /**
   * The relay turns cumulative confirmations into `delivered` notices: receivers confirm `lastSeq`
   * instead of acking each message, and the relay's own `ack` only means accepted.
   */
  receipts?: boolean;
  /** Names the relay's store of accepted frames; another name after a reconnect means they are gone. */
  store?: string;
  /** The relay takes batch messages (several frames in one WebSocket message) within these limits (batch.ts). */
  batch?: { frames: number; bytes: number };
}
/**
 * Sent by the relay (stamped, `from` = the receiving env): the receiver confirmed these reliable
 * messages, i.e. its app got them. One notice per sender and confirmation.
 */
export interface DeliveredFrame extends Routed {
  type: 'delivered';
  ids: string[];
}
/** Sent by a client after (re)connecting: replay what came after `lastSeq`. */
export interface ResumeFrame {
  type: 'resume';
  lastSeq: number;
  /** On the opening resume: this client takes batch messages from the relay (core/batch.ts). */
  batch?: boolean;
}
export interface ErrorFrame {
  type: 'error';
  /** A code this build may not know yet (a newer peer): passed through, never refused. */
  code: WireErrorCode;
  message: string;
  /** The id of the frame that caused it, when it had one. */
  id?: string;
}
/** Any other `{ type, data }` frame (the old express-ws relay's format: it forwarded such text as it was). */
export interface LegacyFrame extends Routed {
  type: string;
  data?: unknown;
  [key: string]: unknown;
}

export type KnownFrame =
  | MessageFrame
  | AckFrame
  | PingFrame
  | PongFrame
  | RequestFrame
  | ResponseFrame
  | ChunkFrame
  | CancelFrame
  | PresenceFrame
  | HelloFrame
  | ResumeFrame
  | ErrorFrame
  | DeliveredFrame;
export type Frame = KnownFrame | LegacyFrame;
export type FrameType = KnownFrame['type'];

// The list in src/core/protocol and the frame interfaces above name the same types.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameTypes: Same<FrameType, FrameTypeName> = true;
void sameTypes;

export function isKnownFrame(frame: Frame): frame is KnownFrame {
  return (FRAME_TYPES as readonly string[]).indexOf(frame.type) >= 0;
}

export interface FrameLimits {
  maxFrameBytes?: number;
  maxNameLength?: number;
}

/** Encodes a frame to JSON text; PAYLOAD_TOO_LARGE past `maxFrameBytes` UTF-8 bytes. */
export function encodeFrame(frame: Frame, limits: FrameLimits = {}): string {
  const text = stringifyJson(frame, 'frame', frame.type);
  const max = limits.maxFrameBytes ?? LIMITS.maxFrameBytes;
  // Cheap pre-check: a UTF-8 character is at most 3 bytes per UTF-16 unit.
  if (text.length * 3 > max) {
    const bytes = utf8ByteLength(text);
    if (bytes > max) throw new HybridError('PAYLOAD_TOO_LARGE', `frame is ${bytes} bytes; the limit is ${max}`);
  }
  return text;
}

/**
 * Decodes and validates one frame. Throws HybridError BAD_REQUEST (not JSON, not an object,
 * missing or wrong fields) or PAYLOAD_TOO_LARGE; `error.details` carries the frame id when known.
 */
export function decodeFrame(input: unknown, limits: FrameLimits = {}): Frame {
  if (typeof input !== 'string') throw new HybridError('BAD_REQUEST', 'frame must be JSON text, not binary');
  const max = limits.maxFrameBytes ?? LIMITS.maxFrameBytes;
  if (input.length > max || (input.length * 3 > max && utf8ByteLength(input) > max)) {
    throw new HybridError('PAYLOAD_TOO_LARGE', `frame is larger than ${max} bytes`);
  }
  const value = parseJson(input, 'frame');
  if (!isPlainObject(value)) throw new HybridError('BAD_REQUEST', 'frame must be a JSON object');
  const nameMax = limits.maxNameLength ?? LIMITS.maxNameLength;
  try {
    checkFrameFields(value, nameMax);
    return value as unknown as Frame;
  } catch (err) {
    const e = HybridError.from(err, 'BAD_REQUEST');
    const id = typeof value.id === 'string' && value.id.length <= nameMax ? value.id : undefined;
    throw id ? new HybridError(e.code, e.message, { id }) : e;
  }
}

export function errorFrame(err: unknown, id?: string): ErrorFrame {
  const e = HybridError.from(err, 'BAD_REQUEST');
  const frame: ErrorFrame = { type: 'error', code: e.code, message: e.message };
  if (id !== undefined) frame.id = id;
  return frame;
}
