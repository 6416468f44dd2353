/**
 * Decides at the HTTP upgrade, before any socket opens, who may connect and under which pairing
 * key: token and env from the query, Origin allow-list, signed token or user verifier.
 */
import type { IncomingMessage } from 'http';
import type { Duplex } from 'stream';
import { ErrorCode, HybridError, WireErrorCode } from '../core/errors';
import type { RejectReason } from './metrics';
import type { RelayOptions } from './options';
import { createTokenCheck, TokenCheck } from './tokens';
import { isLegacyUrl, rawQueryParam } from './legacy-clients';

import { ENV_PATTERN, ENV_RULE, isEnvName } from '../core/protocol/envs';

/** Env names (rules in src/core/protocol/envs.ts). */
export { ENV_PATTERN };
/** Room for an RS256 JWT with a 4096-bit key and a few claims. */
const MAX_TOKEN_LENGTH = 4096;

export interface Admission {
  key: string;
  env: string;
  /** ms; 0 = no expiry. */
  expiresAt: number;
}

/** A refused upgrade: HTTP status + a HybridError code. */
export class UpgradeRefusal extends HybridError {
  constructor(readonly status: 400 | 401 | 403 | 503, code: ErrorCode, message: string, readonly reason: RejectReason) {
    super(code, message);
    Object.setPrototypeOf(this, UpgradeRefusal.prototype);
  }
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 503: 'Service Unavailable' };

/** Tokens are checked when any key is configured (secret, public key, JWKS) or a verifier is given. */
export function isOpenMode(options: RelayOptions): boolean {
  return !options.secret && !options.verify && !options.jwtPublicKey && !options.jwksUrl;
}

/** The token check of a relay, built once per options object (keys imported, JWKS client made). */
const checks = new WeakMap<RelayOptions, TokenCheck>();
export function tokenCheck(options: RelayOptions): TokenCheck {
  let check = checks.get(options);
  if (!check) {
    check = createTokenCheck({
      secret: options.secret,
      publicKey: options.jwtPublicKey,
      jwksUrl: options.jwksUrl,
      algorithms: options.jwtAlgorithms,
      audience: options.jwtAudience,
      issuer: options.jwtIssuer,
      clockToleranceSec: options.clockToleranceSec,
      legacyTokens: options.legacyTokens,
    });
    checks.set(options, check);
  }
  return check;
}

export async function admit(req: IncomingMessage, url: URL, options: RelayOptions): Promise<Admission> {
  // Old clients put the token in the URL unencoded: their `+` is a plus, not a space.
  const token = isLegacyUrl(url) ? rawQueryParam(url, 'token') : url.searchParams.get('token');
  const env = url.searchParams.get('env');
  if (!token) throw new UpgradeRefusal(401, 'UNAUTHORIZED', 'missing "token" query parameter', 'unauthorized');
  if (token.length > MAX_TOKEN_LENGTH) throw new UpgradeRefusal(400, 'BAD_REQUEST', `token longer than ${MAX_TOKEN_LENGTH} characters`, 'bad_request');
  if (!isEnvName(env)) {
    throw new UpgradeRefusal(400, 'BAD_REQUEST', `"env" must be ${ENV_RULE}`, 'bad_request');
  }
  const origin = req.headers.origin;
  // Browsers always send Origin; mini program sockets and servers may not, and prove themselves by token.
  if (origin !== undefined && options.origins.length && options.origins.indexOf(origin) < 0) {
    throw new UpgradeRefusal(403, 'UNAUTHORIZED', `origin ${origin} is not allowed`, 'forbidden');
  }
  if (options.verify) return fromVerifier(await callVerifier(options, { token, env, origin, request: req }), env);
  if (!isOpenMode(options)) {
    try {
      const claims = await tokenCheck(options)(token);
      return { key: claims.sub, env, expiresAt: claims.exp * 1000 };
    } catch (err) {
      throw new UpgradeRefusal(401, 'UNAUTHORIZED', HybridError.from(err).message, 'unauthorized');
    }
  }
  return { key: token, env, expiresAt: 0 };
}

async function callVerifier(options: RelayOptions, ctx: Parameters<NonNullable<RelayOptions['verify']>>[0]) {
  try {
    return await options.verify!(ctx);
  } catch (err) {
    throw new UpgradeRefusal(401, 'UNAUTHORIZED', HybridError.from(err, 'UNAUTHORIZED').message, 'unauthorized');
  }
}

function fromVerifier(result: string | false | { key: string; expiresAt?: number }, env: string): Admission {
  if (result === false) throw new UpgradeRefusal(403, 'UNAUTHORIZED', 'token refused', 'forbidden');
  const { key, expiresAt } = typeof result === 'string' ? { key: result, expiresAt: 0 } : result;
  if (typeof key !== 'string' || !key) throw new UpgradeRefusal(401, 'UNAUTHORIZED', 'verifier returned no pairing key', 'unauthorized');
  if (expiresAt && expiresAt <= Date.now()) throw new UpgradeRefusal(401, 'UNAUTHORIZED', 'token has expired', 'unauthorized');
  return { key, env, expiresAt: expiresAt || 0 };
}

/** Answers the upgrade request with a plain HTTP error and a JSON `{ code, message }` body. */
export function refuseUpgrade(socket: Duplex, status: number, code: WireErrorCode, message: string): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ code, message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] || 'Error'}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
