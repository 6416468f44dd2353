/**
 * The reply channel, mini program → H5: the web-view URL hash `#<req>=<payload>&…&v=<nonce>`
 * (the shape the old navigate + hash helper used; the nonce makes equal replies still change the hash).
 * Several replies may share one hash when they were made while the page was hidden.
 */
import { ErrorShape, HybridError } from './errors';
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
 * Reads a hash (with or without '#'). Never throws: pairs without '=' or with broken
 * percent-encoding are skipped, so a hash written by the page itself does no harm.
 */
export function decodeHash(hash: string): { entries: HashEntry[]; nonce?: string } {
  if (typeof hash !== 'string') return { entries: [] }; // a caller passed location itself, or nothing
  const text = hash.charAt(0) === '#' ? hash.slice(1) : hash;
  const entries: HashEntry[] = [];
  let nonce: string | undefined;
  for (const pair of text.split('&')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    let key: string;
    let raw: string;
    try {
      key = decodeURIComponent(pair.slice(0, eq));
      raw = decodeURIComponent(pair.slice(eq + 1));
    } catch {
      continue;
    }
    if (key === NONCE_KEY) {
      nonce = raw;
      continue;
    }
    let value: unknown = raw;
    try {
      value = parseJson(raw, 'hash value');
    } catch {
      // not JSON: keep the string, as the old navigate + hash helper did
    }
    entries.push({ key, value });
  }
  return { entries, nonce };
}

/** True for a well-formed reply payload. */
export function isReplyPayload(value: unknown): value is ReplyPayload {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { ok?: unknown; error?: { code?: unknown; message?: unknown } };
  if (v.ok === true) return true;
  return v.ok === false && typeof v.error === 'object' && v.error !== null && typeof v.error.code === 'string';
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
