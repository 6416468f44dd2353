/**
 * Signed relay tokens: `<base64url(subject)>.<expiry in unix seconds>.<base64url(HMAC-SHA256)>`.
 * The HMAC covers the subject and the expiry, so neither can be changed without the secret.
 * The subject is the pairing key: every env (h5, miniapp…) holding a token for the same subject
 * lands in the same pair, even when their tokens were minted at different times.
 */
import { createHmac, timingSafeEqual } from 'crypto';
import { HybridError } from '../core/errors';

export interface TokenClaims {
  sub: string;
  /** Expiry, unix seconds. */
  exp: number;
}

export interface SignTokenOptions {
  secret: string;
  sub: string;
  /** Lifetime in seconds; default 3600. */
  ttl?: number;
  /** Clock in ms; default Date.now. */
  now?: number;
}

const MAX_SUBJECT_LENGTH = 256;

function hmac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest();
}

export function signToken(options: SignTokenOptions): string {
  const { secret, sub } = options;
  if (!secret) throw new HybridError('BAD_REQUEST', 'a secret is required to sign a token');
  if (typeof sub !== 'string' || !sub || sub.length > MAX_SUBJECT_LENGTH) {
    throw new HybridError('BAD_REQUEST', `"sub" must be a non-empty string of at most ${MAX_SUBJECT_LENGTH} characters`);
  }
  const ttl = options.ttl ?? 3600;
  if (!(Number.isFinite(ttl) && ttl > 0)) throw new HybridError('BAD_REQUEST', '"ttl" must be a positive number of seconds');
  const exp = Math.floor((options.now ?? Date.now()) / 1000 + ttl);
  const payload = `${Buffer.from(sub).toString('base64url')}.${exp}`;
  return `${payload}.${hmac(secret, payload).toString('base64url')}`;
}

/** Checks signature and expiry; throws UNAUTHORIZED with the reason otherwise. */
export function verifyToken(token: string, secret: string, now: number = Date.now()): TokenClaims {
  const parts = token.split('.');
  if (parts.length !== 3) throw new HybridError('UNAUTHORIZED', 'malformed token');
  const [subPart, expPart, sigPart] = parts;
  const expected = hmac(secret, `${subPart}.${expPart}`);
  const given = Buffer.from(sigPart, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new HybridError('UNAUTHORIZED', 'token signature is invalid');
  }
  const exp = Number(expPart);
  if (!Number.isSafeInteger(exp)) throw new HybridError('UNAUTHORIZED', 'malformed token expiry');
  if (exp * 1000 <= now) throw new HybridError('UNAUTHORIZED', 'token has expired');
  return { sub: Buffer.from(subPart, 'base64url').toString('utf8'), exp };
}
