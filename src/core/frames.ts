/**
 * Socket frames: JSON text with a `type`. Shared by the mini program client, the H5 SDK and the
 * relay server. Frames in the format of the old express-ws relay (`{ type, data }` with any other
 * type) decode as LegacyFrame and are forwarded untouched.
 *
 * Routing: a client may set `to` (an env name); the server sets `from` (the sender's env) and
 * `seq` (a per token+env sequence the receiver confirms in `resume`/`ping` for replay).
 */
import { ErrorShape, HybridError, WireErrorCode, isWireErrorCode } from './errors';
import { utf8ByteLength } from './bytes';
import { checkName, isPlainObject, parseJson, stringifyJson } from './json';
import { LIMITS } from './limits';
import { FRAME_TYPES, FrameTypeName, MAX_TYPE_LENGTH } from './protocol/frame-types';

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
    return validate(value, nameMax);
  } catch (err) {
    const e = HybridError.from(err, 'BAD_REQUEST');
    const id = typeof value.id === 'string' && value.id.length <= nameMax ? value.id : undefined;
    throw id ? new HybridError(e.code, e.message, { id }) : e;
  }
}

function optionalName(o: Record<string, unknown>, field: string, nameMax: number): void {
  if (o[field] !== undefined) checkName(o[field], field, nameMax);
}

function optionalSeq(o: Record<string, unknown>, field: string): void {
  const v = o[field];
  if (v !== undefined && !(typeof v === 'number' && Number.isSafeInteger(v) && v >= 0)) {
    fail(`"${field}" must be a non-negative integer`);
  }
}

function fail(message: string): never {
  throw new HybridError('BAD_REQUEST', message);
}

function checkMessage(o: Record<string, unknown>, nameMax: number): void {
  optionalName(o, 'id', nameMax);
  optionalName(o, 'event', nameMax);
}

/** ack and cancel: only the id of the frame they answer. */
function checkIdOnly(o: Record<string, unknown>, nameMax: number): void {
  checkName(o.id, 'id', nameMax);
}

function checkPingPong(o: Record<string, unknown>): void {
  if (o.ts !== undefined && typeof o.ts !== 'number') fail('"ts" must be a number');
  optionalSeq(o, 'lastSeq');
}

function checkRequest(o: Record<string, unknown>, nameMax: number): void {
  checkName(o.id, 'id', nameMax);
  checkName(o.api, 'api', nameMax);
  if (o.stream !== undefined && typeof o.stream !== 'boolean') fail('"stream" must be a boolean');
}

function checkResponse(o: Record<string, unknown>, nameMax: number): void {
  checkName(o.id, 'id', nameMax);
  if (typeof o.ok !== 'boolean') fail('"ok" must be a boolean');
  if (!o.ok) checkErrorShape(o.error);
  optionalSeq(o, 'chunks');
}

function checkChunk(o: Record<string, unknown>, nameMax: number): void {
  checkName(o.id, 'id', nameMax);
  if (o.n === undefined) fail('"n" is required');
  optionalSeq(o, 'n');
  if (!Array.isArray(o.data)) fail('"data" of a chunk must be a list of items');
}

function checkPresence(o: Record<string, unknown>, nameMax: number): void {
  checkName(o.env, 'env', nameMax);
  if (typeof o.online !== 'boolean') fail('"online" must be a boolean');
}

function checkHello(o: Record<string, unknown>, nameMax: number): void {
  optionalName(o, 'env', nameMax);
  if (o.peers !== undefined && !(Array.isArray(o.peers) && o.peers.every((p) => typeof p === 'string'))) {
    fail('"peers" must be a list of env names');
  }
}

function checkResume(o: Record<string, unknown>): void {
  if (o.lastSeq === undefined) fail('"lastSeq" is required');
  optionalSeq(o, 'lastSeq');
}

function checkError(o: Record<string, unknown>, nameMax: number): void {
  checkErrorShape(o);
  optionalName(o, 'id', nameMax);
}

function checkDelivered(o: Record<string, unknown>, nameMax: number): void {
  if (!Array.isArray(o.ids)) fail('"ids" must be a list of message ids');
  for (const id of o.ids) checkName(id, 'ids', nameMax);
}

/**
 * Checks the fields every frame may carry, then those of its type. A type not listed is a legacy
 * `{ type, data }` frame, forwarded as it is. A switch of module-level functions, no closures and no
 * table built at load time: validate runs for every frame on the relay and the clients, and bundlers
 * drop what a page never calls.
 */
function validate(o: Record<string, unknown>, nameMax: number): Frame {
  const type = checkName(o.type, 'type', MAX_TYPE_LENGTH);
  optionalName(o, 'to', nameMax);
  optionalName(o, 'from', nameMax);
  optionalSeq(o, 'seq');
  switch (type) {
    case 'message': checkMessage(o, nameMax); break;
    case 'ack':
    case 'cancel': checkIdOnly(o, nameMax); break;
    case 'ping':
    case 'pong': checkPingPong(o); break;
    case 'request': checkRequest(o, nameMax); break;
    case 'response': checkResponse(o, nameMax); break;
    case 'chunk': checkChunk(o, nameMax); break;
    case 'presence': checkPresence(o, nameMax); break;
    case 'hello': checkHello(o, nameMax); break;
    case 'resume': checkResume(o); break;
    case 'error': checkError(o, nameMax); break;
    case 'delivered': checkDelivered(o, nameMax); break;
    default: break;
  }
  return o as unknown as Frame;
}

function checkErrorShape(e: unknown): void {
  if (!isPlainObject(e) || !isWireErrorCode(e.code) || typeof e.message !== 'string') {
    fail('error must be { code, message } with an upper-case code');
  }
}

export function errorFrame(err: unknown, id?: string): ErrorFrame {
  const e = HybridError.from(err, 'BAD_REQUEST');
  const frame: ErrorFrame = { type: 'error', code: e.code, message: e.message };
  if (id !== undefined) frame.id = id;
  return frame;
}
