/** Input checks: every bad message or patch becomes a HybridError BAD_REQUEST before anything changes. */
import { HybridError } from '../../core/errors';
import { PanelMessage, MESSAGE_STATUSES, MessagePatch, MessageStatus } from './types';

const MAX_ID_LENGTH = 128;

function bad(message: string, details?: unknown): HybridError {
  return new HybridError('BAD_REQUEST', 'chat-panel: ' + message, details);
}

function optionalString(value: unknown, field: string, id: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw bad(`message "${id}": ${field} must be a string`);
  return value;
}

function checkStatus(value: unknown, id: string): MessageStatus | undefined {
  if (value === undefined || value === null) return undefined;
  if ((MESSAGE_STATUSES as readonly unknown[]).indexOf(value) < 0) {
    throw bad(`message "${id}": status must be one of ${MESSAGE_STATUSES.join(', ')}`, { status: value });
  }
  return value as MessageStatus;
}

function checkTime(value: unknown, id: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = typeof value === 'string' ? Date.parse(value) : value;
  if (typeof ms !== 'number' || !isFinite(ms)) throw bad(`message "${id}": time must be epoch milliseconds or a date string`);
  return ms;
}

function checkContent(type: string, content: unknown, id: string): void {
  const builtIn = type === 'text' || type === 'image' || type === 'markdown';
  if (builtIn && typeof content !== 'string') throw bad(`message "${id}": content of a ${type} message must be a string`);
  if (!builtIn && content === undefined) throw bad(`message "${id}": content is missing`);
}

/** Checks one message and returns a normalized copy (string id, defaults filled, empty fields dropped). */
export function normalizeMessage(input: unknown): PanelMessage {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw bad('a message must be an object');
  const raw = input as Record<string, unknown>;
  const rawId = raw.id;
  if ((typeof rawId !== 'string' || rawId === '') && (typeof rawId !== 'number' || !isFinite(rawId))) {
    throw bad('a message needs an id (non-empty string or number)');
  }
  const id = String(rawId);
  if (id.length > MAX_ID_LENGTH) throw bad(`message id longer than ${MAX_ID_LENGTH} characters`);
  if (typeof raw.role !== 'string' || raw.role === '') throw bad(`message "${id}": role must be a non-empty string`);
  const type = optionalString(raw.type, 'type', id) || 'text';
  checkContent(type, raw.content, id);
  const msg: PanelMessage = { id, role: raw.role, content: raw.content, type };
  const time = checkTime(raw.time, id);
  if (time !== undefined) msg.time = time;
  const status = checkStatus(raw.status, id);
  if (status) msg.status = status;
  const avatar = optionalString(raw.avatar, 'avatar', id);
  if (avatar) msg.avatar = avatar;
  const name = optionalString(raw.name, 'name', id);
  if (name) msg.name = name;
  return msg;
}

/**
 * Checks a list of messages as one unit: every entry valid, no id repeated inside the list or
 * already known (`has`). Throws before returning anything, so a bad list adds nothing.
 */
export function normalizeList(input: unknown, has: (id: string) => boolean, what = 'messages'): PanelMessage[] {
  if (!Array.isArray(input)) throw bad(`${what} must be an array`);
  const seen: Record<string, true> = {};
  return input.map((item, i) => {
    let msg: PanelMessage;
    try {
      msg = normalizeMessage(item);
    } catch (err) {
      throw bad(`${what}[${i}]: ${(err as Error).message.replace(/^chat-panel: /, '')}`);
    }
    if (has(msg.id) || seen[msg.id]) throw bad(`duplicate message id "${msg.id}"`, { id: msg.id });
    seen[msg.id] = true;
    return msg;
  });
}

/** Checks the fields `updateMessage` may change. */
export function normalizePatch(id: string, type: string, input: unknown): MessagePatch {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw bad(`update of "${id}": the patch must be an object`);
  const raw = input as Record<string, unknown>;
  const unknownKeys = Object.keys(raw).filter((k) => k !== 'status' && k !== 'content');
  if (unknownKeys.length) throw bad(`update of "${id}": only status and content can change (got ${unknownKeys.join(', ')})`);
  const patch: MessagePatch = {};
  if (raw.status !== undefined) patch.status = checkStatus(raw.status, id);
  if (raw.content !== undefined) {
    checkContent(type, raw.content, id);
    patch.content = raw.content;
  }
  return patch;
}

export function unknownId(id: unknown, action: string): HybridError {
  return bad(`${action}: no message with id "${String(id)}"`, { id });
}
