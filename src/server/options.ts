/**
 * Relay options: defaults, and the one table that maps each option to its CLI flag and environment
 * variable (the CLI and its help text are generated from it, docs/server.md mirrors it).
 */
import type { IncomingMessage, Server } from 'http';
import { LIMITS } from '../core/limits';
import type { Hub, HubRegistry } from './hub';
import type { RelayMetrics } from './metrics';
import type { MetricsRegistry } from './prometheus';
import type { Receipts } from './receipts';

export interface VerifyContext {
  token: string;
  env: string;
  origin: string | undefined;
  request: IncomingMessage;
}

/**
 * A user verifier: return the pairing key (e.g. a user id) to accept, `false` to refuse (403),
 * or throw a HybridError (UNAUTHORIZED → 401). `expiresAt` (ms) closes the socket with 4501 then.
 */
export type TokenVerifier = (ctx: VerifyContext) => Promise<string | false | { key: string; expiresAt?: number }>;

export interface RelayLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface RelayOptions {
  host: string;
  port: number;
  /** WebSocket path. */
  path: string;
  /** HS256 secret for JWT tokens. Without a secret, a public key, a JWKS URL or a verifier the relay runs in open mode. */
  secret?: string;
  /** PEM public key (SPKI) checking RS256 / ES256 tokens. */
  jwtPublicKey?: string;
  /** JSON Web Key Set URL checking RS256 / ES256 tokens by `kid` (keys may rotate). */
  jwksUrl?: string;
  /** Accepted JWT `alg` values (default HS256 with a secret, RS256 and ES256 with a key or JWKS). */
  jwtAlgorithms?: string[];
  /** Required `aud` / `iss` claims of tokens, when set. */
  jwtAudience?: string;
  jwtIssuer?: string;
  /** Clock skew tolerated for `exp` / `nbf` (seconds). */
  clockToleranceSec: number;
  /** Also accept the pre-0.2 `sub.exp.hmac` tokens signed with `secret` (migration period). */
  legacyTokens: boolean;
  verify?: TokenVerifier;
  /** Allowed `Origin` values; empty = any origin (mini program sockets send none). */
  origins: string[];
  maxFrameBytes: number;
  /** Per-connection frames per second (0 = unlimited) and burst. */
  ratePerSecond: number;
  rateBurst: number;
  /** Close a consumer whose send buffer is above this many bytes (4009). */
  maxBufferedBytes: number;
  /** Protocol ping and sweep interval; a connection that missed one ping is terminated. */
  pingIntervalMs: number;
  /** Backlog per token+env for a reconnecting peer. */
  backlogItems: number;
  backlogBytes: number;
  backlogTtlMs: number;
  /** Most envs one token may have (connected or holding a backlog). */
  maxEnvsPerToken: number;
  /** How long a new connection may take to send `resume` before it is served as a plain client. */
  resumeWaitMs: number;
  redisUrl?: string;
  redisPrefix: string;
  /** Builds the hub (memoryHub, redisHub or your own); default: redisHub when `redisUrl` is set, else memoryHub. */
  hub?: HubFactory;
  /** Serve the demo page directory (`staticDir`) at `/`. Off by default: enable it for development only. */
  demo: boolean;
  /** Directory served at `/` when `demo` is on (default: the package's tools/demo-h5); false: none. */
  staticDir?: string | false;
  /** Serve Prometheus metrics at GET /metrics (or on `metricsPort`). Off by default. */
  metrics: boolean;
  /** Require `Authorization: Bearer <metricsToken>` on /metrics. */
  metricsToken?: string;
  /** Serve /metrics on this port (same host) instead of the relay's port; 0 = off. */
  metricsPort?: number;
  /** A prom-client Registry of your application: the relay registers its metrics there (one /metrics). */
  registry?: MetricsRegistry;
  /** File served at `/hybrid-kit.js`; false disables it. */
  h5Script?: string | false;
  /** Attach to this HTTP server instead of creating one (express, koa, plain http). */
  server?: Server;
  /** Allow a non-loopback host without a secret (not recommended). */
  allowOpenPublic: boolean;
  logger: RelayLogger | false;
}

/** Everything a hub is built from (what the `hub` option's factory is given). */
export interface HubContext {
  registry: HubRegistry;
  options: RelayOptions;
  /** Drops are counted here (`metrics.drops`). */
  metrics: RelayMetrics;
  /** Confirmations and losses of reliable frames go here. */
  receipts: Receipts;
  log: RelayLogger;
}

/** Builds the hub of a relay (the `hub` option; default: Redis when `redisUrl` is set, else memory). */
export type HubFactory = (context: HubContext) => Hub;

type Kind = 'string' | 'number' | 'list' | 'boolean';
export interface OptionSpec {
  key: keyof RelayOptions;
  flag: string;
  env: string;
  kind: Kind;
  help: string;
  /** One-letter alias (`-p`). */
  short?: string;
  /** A secret: on the command line it is warned about (shell history); give it in the environment. */
  secret?: boolean;
}

export const OPTION_SPECS: OptionSpec[] = [
  { key: 'port', flag: '--port', env: 'HYBRID_KIT_PORT', kind: 'number', help: 'TCP port (0 = any free port; PORT is read too)', short: 'p' },
  { key: 'host', flag: '--host', env: 'HYBRID_KIT_HOST', kind: 'string', help: 'bind address', short: 'H' },
  { key: 'path', flag: '--path', env: 'HYBRID_KIT_PATH', kind: 'string', help: 'WebSocket path' },
  { key: 'secret', flag: '--secret', env: 'HYBRID_KIT_SECRET', kind: 'string', help: 'HS256 secret of JWT tokens', secret: true },
  { key: 'jwtPublicKey', flag: '--public-key', env: 'HYBRID_KIT_PUBLIC_KEY', kind: 'string', help: 'PEM public key (text or file) for RS256/ES256 tokens' },
  { key: 'jwksUrl', flag: '--jwks-url', env: 'HYBRID_KIT_JWKS_URL', kind: 'string', help: 'JWKS URL for RS256/ES256 tokens (key rotation)' },
  { key: 'jwtAlgorithms', flag: '--jwt-algorithms', env: 'HYBRID_KIT_JWT_ALGORITHMS', kind: 'list', help: 'accepted JWT alg values' },
  { key: 'jwtAudience', flag: '--jwt-audience', env: 'HYBRID_KIT_JWT_AUDIENCE', kind: 'string', help: 'required aud claim' },
  { key: 'jwtIssuer', flag: '--jwt-issuer', env: 'HYBRID_KIT_JWT_ISSUER', kind: 'string', help: 'required iss claim' },
  { key: 'clockToleranceSec', flag: '--clock-tolerance', env: 'HYBRID_KIT_CLOCK_TOLERANCE', kind: 'number', help: 'clock skew allowed for exp/nbf (s)' },
  { key: 'legacyTokens', flag: '--legacy-tokens', env: 'HYBRID_KIT_LEGACY_TOKENS', kind: 'boolean', help: 'also accept pre-0.2 sub.exp.hmac tokens' },
  { key: 'origins', flag: '--origins', env: 'HYBRID_KIT_ORIGINS', kind: 'list', help: 'comma-separated allowed Origin values' },
  { key: 'redisUrl', flag: '--redis', env: 'HYBRID_KIT_REDIS_URL', kind: 'string', help: 'redis://… to share pairs between instances' },
  { key: 'redisPrefix', flag: '--redis-prefix', env: 'HYBRID_KIT_REDIS_PREFIX', kind: 'string', help: 'prefix of every Redis key and channel' },
  { key: 'demo', flag: '--demo', env: 'HYBRID_KIT_DEMO', kind: 'boolean', help: 'serve the demo page at / (development)' },
  { key: 'staticDir', flag: '--static', env: 'HYBRID_KIT_STATIC', kind: 'string', help: 'directory served at / with --demo' },
  { key: 'metrics', flag: '--metrics', env: 'HYBRID_KIT_METRICS', kind: 'boolean', help: 'serve Prometheus metrics at /metrics' },
  { key: 'metricsPort', flag: '--metrics-port', env: 'HYBRID_KIT_METRICS_PORT', kind: 'number', help: 'serve /metrics on this port instead' },
  { key: 'metricsToken', flag: '--metrics-token', env: 'HYBRID_KIT_METRICS_TOKEN', kind: 'string', help: 'bearer token required on /metrics', secret: true },
  { key: 'maxFrameBytes', flag: '--max-frame-bytes', env: 'HYBRID_KIT_MAX_FRAME_BYTES', kind: 'number', help: 'largest frame (bytes); larger closes with 1009' },
  { key: 'ratePerSecond', flag: '--rate', env: 'HYBRID_KIT_RATE', kind: 'number', help: 'frames per second per connection (0 = off)' },
  { key: 'rateBurst', flag: '--burst', env: 'HYBRID_KIT_BURST', kind: 'number', help: 'burst of frames per connection' },
  { key: 'maxBufferedBytes', flag: '--max-buffered-bytes', env: 'HYBRID_KIT_MAX_BUFFERED_BYTES', kind: 'number', help: 'slow consumer threshold (bytes)' },
  { key: 'pingIntervalMs', flag: '--ping-interval', env: 'HYBRID_KIT_PING_INTERVAL_MS', kind: 'number', help: 'ping/sweep interval (ms)' },
  { key: 'backlogItems', flag: '--backlog-items', env: 'HYBRID_KIT_BACKLOG_ITEMS', kind: 'number', help: 'frames kept per token+env' },
  { key: 'backlogBytes', flag: '--backlog-bytes', env: 'HYBRID_KIT_BACKLOG_BYTES', kind: 'number', help: 'bytes kept per token+env' },
  { key: 'backlogTtlMs', flag: '--backlog-ttl', env: 'HYBRID_KIT_BACKLOG_TTL_MS', kind: 'number', help: 'how long a frame waits for its peer (ms)' },
  { key: 'maxEnvsPerToken', flag: '--max-envs', env: 'HYBRID_KIT_MAX_ENVS', kind: 'number', help: 'most envs per token' },
  { key: 'resumeWaitMs', flag: '--resume-wait', env: 'HYBRID_KIT_RESUME_WAIT_MS', kind: 'number', help: 'wait for a resume frame (ms)' },
  { key: 'allowOpenPublic', flag: '--allow-open-public', env: 'HYBRID_KIT_ALLOW_OPEN_PUBLIC', kind: 'boolean', help: 'allow open mode on a non-loopback host' },
];

export const DEFAULT_OPTIONS: RelayOptions = {
  host: '127.0.0.1',
  port: 8787,
  path: '/socket',
  origins: [],
  maxFrameBytes: LIMITS.maxFrameBytes,
  ratePerSecond: 50,
  rateBurst: 100,
  maxBufferedBytes: 1024 * 1024,
  pingIntervalMs: 30000,
  backlogItems: 256,
  backlogBytes: 1024 * 1024,
  backlogTtlMs: 60000,
  maxEnvsPerToken: 8,
  resumeWaitMs: 1000,
  redisPrefix: 'hk:',
  clockToleranceSec: 5,
  demo: false,
  metrics: false,
  legacyTokens: false,
  allowOpenPublic: false,
  logger: console,
};

export function resolveOptions(partial: Partial<RelayOptions> = {}): RelayOptions {
  const options: RelayOptions = { ...DEFAULT_OPTIONS };
  for (const [key, value] of Object.entries(partial)) {
    if (value !== undefined) (options as unknown as Record<string, unknown>)[key] = value;
  }
  for (const key of ['maxFrameBytes', 'backlogItems', 'backlogBytes', 'pingIntervalMs', 'maxEnvsPerToken'] as const) {
    if (!(Number.isFinite(options[key]) && options[key] > 0)) throw new RangeError(`${key} must be a positive number (got ${options[key]})`);
  }
  if (!options.path.startsWith('/')) throw new RangeError(`path must start with "/" (got ${options.path})`);
  return options;
}

/** Converts one raw string (flag or env var) into the option's type. */
export function parseOptionValue(spec: OptionSpec, raw: string): unknown {
  switch (spec.kind) {
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n) || n < 0) throw new RangeError(`${spec.flag} / ${spec.env} must be a non-negative number (got "${raw}")`);
      return n;
    }
    case 'list':
      return raw.split(',').map((s) => s.trim()).filter(Boolean);
    case 'boolean':
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off|)$/i.test(raw.trim())) return false;
      throw new RangeError(`${spec.flag} / ${spec.env} must be true or false (got "${raw}")`);
    default:
      return raw;
  }
}

/** Options from environment variables (PORT is honoured for container platforms). */
export function optionsFromEnv(env: NodeJS.ProcessEnv): Partial<RelayOptions> {
  const out: Record<string, unknown> = {};
  if (env.PORT) out.port = parseOptionValue(OPTION_SPECS[0], env.PORT);
  for (const spec of OPTION_SPECS) {
    const raw = env[spec.env];
    if (raw !== undefined) out[spec.key] = parseOptionValue(spec, raw);
  }
  return out as Partial<RelayOptions>;
}
