/**
 * Shape checks shared by both token formats, done before any cryptography: the subject rule and
 * strict base64url. Node's base64url decoder is lenient (it accepts `+`, `/`, `=`, spaces and
 * ignores the unused low bits of the last character), so several spellings decode to the same
 * bytes; only the one canonical spelling of each segment is accepted.
 */
import { HybridError } from '../core/errors';

export const MAX_SUBJECT_LENGTH = 256;

/** A lone surrogate: under the `u` flag a surrogate pair is one code point and does not match. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Throws `code` unless `sub` is a non-empty, well-formed Unicode string of at most 256 UTF-16 units. */
export function checkSubject(sub: unknown, code: 'BAD_REQUEST' | 'UNAUTHORIZED'): string {
  if (typeof sub !== 'string' || !sub || sub.length > MAX_SUBJECT_LENGTH) {
    throw new HybridError(code, `"sub" must be a non-empty string of at most ${MAX_SUBJECT_LENGTH} characters`);
  }
  if (LONE_SURROGATE.test(sub)) throw new HybridError(code, '"sub" must be well-formed Unicode (no lone surrogates)');
  return sub;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** True when `segment` is exactly how its bytes encode in unpadded base64url. */
export function isCanonicalBase64url(segment: string): boolean {
  return BASE64URL.test(segment) && Buffer.from(segment, 'base64url').toString('base64url') === segment;
}

/** Splits `token` into `count` dot-separated segments, each canonical base64url (except `plain` indexes). */
export function splitToken(token: string, count: number, plain: number[] = []): string[] {
  const parts = token.split('.');
  if (parts.length !== count) throw new HybridError('UNAUTHORIZED', 'malformed token');
  parts.forEach((part, i) => {
    if (!part || (plain.indexOf(i) < 0 && !isCanonicalBase64url(part))) throw new HybridError('UNAUTHORIZED', 'malformed token');
  });
  return parts;
}
