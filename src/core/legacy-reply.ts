/**
 * Replies for pages written against the original navigate + hash helper (a `cmd` without `v`).
 * That helper keeps one call in flight, accepts a hash only when it starts with `#<req>=`, splits
 * it on `&` and `=`, and hands the callback the percent-decoded text. So such a reply is a bare
 * string in a hash of its own, never our `{ ok, data }` JSON:
 *
 *   #<req>=<encodeURIComponent(value)>&v=<nonce>
 *
 * | the handler                        | value                      |
 * |------------------------------------|----------------------------|
 * | returns undefined / null           | "0" (the old "success")    |
 * | returns a string                   | the string itself          |
 * | returns a number / boolean         | String(result)             |
 * | returns an object or array         | its JSON text              |
 * | fails (throws, unknown api, …)     | the error code, e.g. "METHOD_NOT_FOUND" |
 */
import { HybridError } from './errors';
import { ReplyPayload, NONCE_KEY } from './hash';
import { stringifyJson } from './json';
import { LIMITS } from './limits';

/** The value the old helper's callback receives for `payload`. */
export function legacyReplyValue(payload: ReplyPayload): string {
  if (!payload.ok) return payload.error.code;
  const data = payload.data;
  if (data === undefined || data === null) return '0';
  if (typeof data === 'string') return data;
  if (typeof data === 'object') return stringifyJson(data, 'reply');
  return String(data);
}

/**
 * The whole hash (without '#') for one old-style reply. Nothing else may share it: the old
 * helper throws on a pair without '=' and ignores a hash that does not start with its req.
 * A value too long for `maxLength` becomes "PAYLOAD_TOO_LARGE", so the caller still gets an answer.
 */
export function encodeLegacyHash(req: string, value: string, nonce: string | number, maxLength: number = LIMITS.maxHashLength): string {
  const head = encodeURIComponent(req) + '=';
  const tail = '&' + NONCE_KEY + '=' + encodeURIComponent(String(nonce));
  const hash = head + encodeURIComponent(value) + tail;
  if (hash.length <= maxLength) return hash;
  const tooLarge = new HybridError('PAYLOAD_TOO_LARGE', `reply is ${hash.length} characters`);
  return head + tooLarge.code + tail;
}

/**
 * True when a `cmd` that could not be decoded still shows our `v` field: then it came from our SDK
 * and gets a JSON reply; otherwise it is answered the old way.
 */
export function cmdMentionsVersion(raw: unknown): boolean {
  if (typeof raw !== 'string') return typeof raw === 'object' && raw !== null && 'v' in raw;
  let text = raw;
  for (let round = 0; round < 3; round++) {
    if (/"v"\s*:\s*\d/.test(text)) return true;
    let next: string;
    try {
      next = decodeURIComponent(text);
    } catch {
      return false;
    }
    if (next === text) return false;
    text = next;
  }
  return false;
}
