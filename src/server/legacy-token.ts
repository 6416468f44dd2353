/**
 * The token format of versions before 0.2: `<base64url(subject)>.<expiry in unix seconds>.<base64url(HMAC-SHA256)>`.
 * Accepted only when the relay is configured with `legacyTokens` (a migration period); new tokens
 * are JWTs (tokens.ts). The signature is compared as its canonical text in constant time, so no
 * other spelling of the same bytes passes.
 */
import { createHmac, timingSafeEqual } from 'crypto';
import { HybridError } from '../core/errors';
import { checkSubject, splitToken } from './token-format';

export interface LegacyClaims {
  sub: string;
  /** Expiry, unix seconds. */
  exp: number;
}

function signature(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

/** Mints an old-format token (for tests and for issuers still in the migration period). */
export function signLegacyToken(options: { secret: string; sub: string; ttl?: number; now?: number }): string {
  if (!options.secret) throw new HybridError('BAD_REQUEST', 'a secret is required to sign a token');
  const sub = checkSubject(options.sub, 'BAD_REQUEST');
  const ttl = options.ttl ?? 3600;
  if (!(Number.isFinite(ttl) && ttl > 0)) throw new HybridError('BAD_REQUEST', '"ttl" must be a positive number of seconds');
  const exp = Math.floor((options.now ?? Date.now()) / 1000 + ttl);
  const payload = `${Buffer.from(sub).toString('base64url')}.${exp}`;
  return `${payload}.${signature(options.secret, payload)}`;
}

/** True when `token` has the old three-part shape with a numeric middle part (never a JWT's). */
export function looksLegacy(token: string): boolean {
  return /^[^.]+\.\d+\.[^.]+$/.test(token);
}

/** Checks signature, expiry and subject of an old-format token; throws UNAUTHORIZED otherwise. */
export function verifyLegacyToken(token: string, secret: string, now: number = Date.now(), toleranceSec = 0): LegacyClaims {
  const [subPart, expPart, sigPart] = splitToken(token, 3, [1]);
  if (!/^\d{1,15}$/.test(expPart)) throw new HybridError('UNAUTHORIZED', 'malformed token expiry');
  const expected = Buffer.from(signature(secret, `${subPart}.${expPart}`));
  const given = Buffer.from(sigPart);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new HybridError('UNAUTHORIZED', 'token signature is invalid');
  }
  const exp = Number(expPart);
  if ((exp + toleranceSec) * 1000 <= now) throw new HybridError('UNAUTHORIZED', 'token has expired');
  const sub = checkSubject(Buffer.from(subPart, 'base64url').toString('utf8'), 'UNAUTHORIZED');
  return { sub, exp };
}
