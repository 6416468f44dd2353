/**
 * The reply channel, mini program → H5: the web-view URL hash `#<req>=<payload>&…&v=<nonce>`
 * (the shape the old navigate + hash helper used; the nonce makes equal replies still change the hash).
 * Several replies may share one hash when they were made while the page was hidden.
 */
import { ErrorShape, HybridError, isWireErrorCode } from './errors';
import { checkName, parseJson, stringifyJson } from './json';
import { LIMITS } from './limits';

export type ReplyPayload<T = unknown> = { ok: true; data?: T } | { ok: false; error: ErrorShape };

/** Reserved key for pushes (mini program → page events); its value is a list of PushMessage. */
export const PUSH_KEY = '_hkpush';
/** Reserved key for the nonce. */
export const NONCE_KEY = 'v';

export interface PushMessage<T = unknown> {
  id: string;
  event: string;
  data?: T;
}

export interface HashEntry {
  key: string;
  /** Parsed JSON, or the raw decoded string when the value is not JSON (older helpers). */
  value: unknown;
}

export function okReply<T>(data?: T): ReplyPayload<T> {
  return data === undefined ? { ok: true } : { ok: true, data };
}

export function errorReply(err: unknown): ReplyPayload<never> {
  return { ok: false, error: HybridError.from(err).toJSON() };
}

/** One `key=value` pair of the hash; throws BAD_REQUEST for values JSON cannot carry. */
export function encodeHashEntry(key: string, value: unknown): string {
  checkName(key, 'hash key');
  // The nonce key would be read back as the nonce, and the entry lost.
  if (key === NONCE_KEY) throw new HybridError('BAD_REQUEST', `"${NONCE_KEY}" is reserved for the hash nonce`);
  return encodeURIComponent(key) + '=' + encodeURIComponent(stringifyJson(value, `hash value for "${key}"`));
}

/** The whole hash (without '#'). Throws PAYLOAD_TOO_LARGE past `maxLength`. */
export function encodeHash(entries: HashEntry[], nonce: string | number, maxLength: number = LIMITS.maxHashLength): string {
  const parts = entries.map((e) => encodeHashEntry(e.key, e.value));
  parts.push(NONCE_KEY + '=' + encodeURIComponent(String(nonce)));
  const hash = parts.join('&');
  if (hash.length > maxLength) {
    throw new HybridError('PAYLOAD_TOO_LARGE', `hash is ${hash.length} characters; the limit is ${maxLength}`);
  }
  return hash;
}

/**
 * Errors a decode may catch per hash (a broken escape, a value that is not JSON). Past them, more
 * broken pairs are skipped untried: junk must not buy a thrown error, which costs microseconds, per pair.
 */
const MAX_CAUGHT = 16;

/**
 * Reads a hash (with or without '#'). Never throws: a hash longer than `maxLength` is ignored as a
 * whole (checked before any work, so its cost does not grow with its size); pairs without '=' or
 * with broken percent-encoding are skipped, so a hash written by the page itself does no harm.
 * A value that is not JSON stays a string, as the original helper's values were.
 */
export function decodeHash(hash: string, maxLength: number = LIMITS.maxHashLength): { entries: HashEntry[]; nonce?: string } {
  // Not a string: a caller passed location itself, or nothing. '#' does not count against the limit.
  if (typeof hash !== 'string' || hash.length > maxLength + 1) return { entries: [] };
  let caught = 0;
  const attempt = <T>(fn: () => T): T | undefined => {
    try {
      return caught < MAX_CAUGHT ? fn() : undefined;
    } catch {
      caught++;
    }
    return undefined;
  };
  const decode = (text: string) => (text.indexOf('%') < 0 ? text : attempt(() => decodeURIComponent(text)));
  const entries: HashEntry[] = [];
  let nonce: string | undefined;
  for (const pair of (hash.charAt(0) === '#' ? hash.slice(1) : hash).split('&')) {
    const eq = pair.indexOf('=');
    const key = eq > 0 ? decode(pair.slice(0, eq)) : undefined;
    // A key is never empty: `eq > 0`, and an escape decodes to a character.
    const raw = key && decode(pair.slice(eq + 1));
    if (raw === undefined) continue;
    if (key === NONCE_KEY) nonce = raw;
    else {
      // JSON.parse never gives undefined: undefined means "not JSON".
      const parsed = attempt(() => parseJson(raw, 'hash value'));
      entries.push({ key: key as string, value: parsed === undefined ? raw : parsed });
    }
  }
  return { entries, nonce };
}

/**
 * True for a well-formed reply payload. An error needs a well-formed code (src/core/protocol) and a
 * string message: junk (`""`, `"timeout"`, markup, no message) is not a reply and settles nothing.
 */
export function isReplyPayload(value: unknown): value is ReplyPayload {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { ok?: unknown; error?: { code?: unknown; message?: unknown } };
  if (v.ok === true) return true;
  return v.ok === false && typeof v.error === 'object' && v.error !== null && isWireErrorCode(v.error.code) && typeof v.error.message === 'string';
}

/** Splits a URL into the part before '#' and the hash (without '#'). */
export function splitHash(url: string): { base: string; hash: string } {
  const i = url.indexOf('#');
  return i < 0 ? { base: url, hash: '' } : { base: url.slice(0, i), hash: url.slice(i + 1) };
}

/** The same URL with its hash replaced; the part before '#' never changes. */
export function withHash(url: string, hash: string): string {
  return splitHash(url).base + (hash ? '#' + hash : '');
}
