/**
 * The fields each socket frame type must carry (docs/protocol.md, "Socket channel"): one check
 * function per type, called by decodeFrame (frames.ts) after JSON parsing. A new frame type adds
 * its function here and a case in checkFrameFields.
 */
import { HybridError, isWireErrorCode } from './errors';
import { checkName, isPlainObject } from './json';
import { MAX_TYPE_LENGTH } from './protocol/frame-types';

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
 * Checks the fields every frame may carry, then those of its type; throws HybridError BAD_REQUEST.
 * A type not listed is a legacy `{ type, data }` frame, forwarded as it is. A switch of
 * module-level functions, no closures and no table built at load time: this runs for every frame
 * on the relay and the clients, and bundlers drop what a page never calls.
 */
export function checkFrameFields(o: Record<string, unknown>, nameMax: number): void {
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
}

function checkErrorShape(e: unknown): void {
  if (!isPlainObject(e) || !isWireErrorCode(e.code) || typeof e.message !== 'string') {
    fail('error must be { code, message } with an upper-case code');
  }
}
