/**
 * Relay tokens are standard JWTs (RFC 7519), checked with `jose`: `sub` is the pairing key (every
 * env holding a token for the same subject lands in the same pair), `exp` is required, `aud`,
 * `iss` and `nbf` are checked when configured. Keys: an HS256 shared secret, or an RS256/ES256
 * public key (PEM), or a JWKS URL (keys picked by `kid`, refetched when an unknown `kid` shows up,
 * so keys can rotate). Unsigned (`alg: none`) tokens are never accepted. During a migration the
 * old `sub.exp.hmac` format is accepted too when `legacyTokens` is on (legacy-token.ts).
 */
import { createPublicKey, createSecretKey, KeyObject } from 'crypto';
import type * as Jose from 'jose';
import { HybridError } from '../core/errors';
import { looksLegacy, verifyLegacyToken } from './legacy-token';
import { requirePeer } from './peer';
import { checkSubject, splitToken } from './token-format';

export interface TokenClaims {
  sub: string;
  /** Expiry, unix seconds. */
  exp: number;
}

/** Which tokens the relay accepts. One of secret, publicKey or jwksUrl is required. */
export interface TokenConfig {
  /** HS256 shared secret. */
  secret?: string;
  /** PEM public key (SPKI, `-----BEGIN PUBLIC KEY-----`) for RS256 or ES256. */
  publicKey?: string;
  /** URL of a JSON Web Key Set (`{ keys: [...] }`); keys are chosen by the token's `kid`. */
  jwksUrl?: string;
  /** Accepted `alg` values; default HS256 with a secret, RS256 and ES256 with a key or JWKS. */
  algorithms?: string[];
  audience?: string;
  issuer?: string;
  /** Seconds of clock skew tolerated for `exp` and `nbf`; default 5. */
  clockToleranceSec?: number;
  /** Also accept the old `sub.exp.hmac` tokens signed with `secret` (migration period only). */
  legacyTokens?: boolean;
  /** Least time between two JWKS fetches (ms); default 30000. */
  jwksCooldownMs?: number;
}

export interface SignTokenOptions {
  sub: string;
  /** HS256 shared secret; or give `privateKey` and `algorithm`. */
  secret?: string;
  /** PEM private key (PKCS#8) for RS256 / ES256. */
  privateKey?: string;
  algorithm?: 'HS256' | 'RS256' | 'ES256';
  /** Key id written to the header (`kid`), to pick the key from a JWKS. */
  keyId?: string;
  /** Lifetime in seconds; default 3600. */
  ttl?: number;
  audience?: string;
  issuer?: string;
  /** Not valid before this many seconds from now. */
  notBeforeSec?: number;
  /** Clock in ms; default Date.now. */
  now?: number;
}

export type TokenCheck = (token: string, now?: number) => Promise<TokenClaims>;

const jose = (): typeof Jose => requirePeer<typeof Jose>('jose', 'JWT tokens (secret, publicKey, jwksUrl, hybrid-kit token)');

function signingKey(options: SignTokenOptions, lib: typeof Jose): Promise<KeyObject | Jose.KeyLike> {
  const alg = options.algorithm || 'HS256';
  if (alg === 'HS256') {
    if (!options.secret) throw new HybridError('BAD_REQUEST', 'a secret is required to sign an HS256 token');
    return Promise.resolve(createSecretKey(Buffer.from(options.secret)));
  }
  if (!options.privateKey) throw new HybridError('BAD_REQUEST', `a privateKey (PEM, PKCS#8) is required to sign an ${alg} token`);
  return lib.importPKCS8(options.privateKey, alg);
}

/** Mints a JWT the relay accepts. */
export async function signToken(options: SignTokenOptions): Promise<string> {
  const lib = jose();
  const sub = checkSubject(options.sub, 'BAD_REQUEST');
  const ttl = options.ttl ?? 3600;
  if (!(Number.isFinite(ttl) && ttl > 0)) throw new HybridError('BAD_REQUEST', '"ttl" must be a positive number of seconds');
  const nowSec = Math.floor((options.now ?? Date.now()) / 1000);
  const key = await signingKey(options, lib);
  const jwt = new lib.SignJWT({})
    .setProtectedHeader({ alg: options.algorithm || 'HS256', typ: 'JWT', ...(options.keyId ? { kid: options.keyId } : {}) })
    .setSubject(sub)
    .setIssuedAt(nowSec)
    .setExpirationTime(nowSec + Math.floor(ttl));
  if (options.audience) jwt.setAudience(options.audience);
  if (options.issuer) jwt.setIssuer(options.issuer);
  if (options.notBeforeSec) jwt.setNotBefore(nowSec + options.notBeforeSec);
  return jwt.sign(key);
}

type Verify = (token: string, options: Jose.JWTVerifyOptions) => Promise<Jose.JWTVerifyResult>;

function verifier(config: TokenConfig, lib: typeof Jose): { verify: Verify; algorithms: string[] } {
  if (config.jwksUrl) {
    const jwks = lib.createRemoteJWKSet(new URL(config.jwksUrl), { cooldownDuration: config.jwksCooldownMs ?? 30000 });
    return { verify: (token, options) => lib.jwtVerify(token, jwks, options), algorithms: config.algorithms || ['RS256', 'ES256'] };
  }
  if (config.publicKey) {
    // A KeyObject (not importSPKI, which binds one alg): jose then accepts RS256 for an RSA key and
    // ES256 for a P-256 key, and refuses any other pairing (no HS256 with the public key as secret).
    const key = createPublicKey(config.publicKey);
    return { verify: (token, options) => lib.jwtVerify(token, key, options), algorithms: config.algorithms || ['RS256', 'ES256'] };
  }
  if (config.secret) {
    const key = createSecretKey(Buffer.from(config.secret));
    return { verify: (token, options) => lib.jwtVerify(token, key, options), algorithms: config.algorithms || ['HS256'] };
  }
  throw new HybridError('BAD_REQUEST', 'token checks need a secret, a publicKey or a jwksUrl');
}

/** Maps jose's errors to one UNAUTHORIZED message each (no key material, no token text). */
function refusal(err: unknown): HybridError {
  if (err instanceof HybridError) return new HybridError('UNAUTHORIZED', err.message);
  const code = (err as { code?: string }).code || '';
  const reasons: Record<string, string> = {
    ERR_JWT_EXPIRED: 'token has expired',
    ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'token signature is invalid',
    ERR_JOSE_ALG_NOT_ALLOWED: 'token algorithm is not allowed',
    ERR_JWKS_NO_MATCHING_KEY: 'no key of the key set matches the token',
    ERR_JWT_CLAIM_VALIDATION_FAILED: `token claim refused: ${(err as Error).message}`,
  };
  return new HybridError('UNAUTHORIZED', reasons[code] || 'malformed token');
}

/**
 * Builds the relay's token check from its configuration (keys imported and the JWKS client made
 * once). Throws BAD_REQUEST at once when the configuration cannot check anything.
 */
export function createTokenCheck(config: TokenConfig): TokenCheck {
  const lib = jose();
  const { verify, algorithms } = verifier(config, lib);
  const tolerance = config.clockToleranceSec ?? 5;
  return async (token, now = Date.now()) => {
    if (config.legacyTokens && config.secret && looksLegacy(token)) return verifyLegacyToken(token, config.secret, now, tolerance);
    try {
      splitToken(token, 3);
      const { payload } = await verify(token, {
        algorithms,
        audience: config.audience,
        issuer: config.issuer,
        clockTolerance: tolerance,
        currentDate: new Date(now),
        requiredClaims: ['sub', 'exp'],
      });
      return { sub: checkSubject(payload.sub, 'UNAUTHORIZED'), exp: payload.exp as number };
    } catch (err) {
      throw refusal(err);
    }
  };
}

/** One-off check of `token` (builds the check each time: use createTokenCheck for many). */
export function verifyToken(token: string, config: TokenConfig | string, now?: number): Promise<TokenClaims> {
  return createTokenCheck(typeof config === 'string' ? { secret: config } : config)(token, now);
}
