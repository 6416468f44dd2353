/**
 * One shared, reference-counted SocketClient per URL + env + token. The last user's release closes
 * it (unless `keepAlive`). While any connection exists the pool follows the app: hidden or offline
 * pauses every client, shown again / back online reconnects at once and checks liveness.
 */
import { HybridError } from '../core/errors';
import { SocketClient, SocketClientOptions } from '../core/socket/client';
import { decideOnClose } from '../core/socket/close-policy';
import { MINIAPP_ENV } from '../core/protocol/envs';
import { withQuery } from '../core/socket/target';
import { ConnectTarget, SocketTransport } from '../core/socket/transport';
import { watchAppConditions, WxAppEventsApi } from '../adapters/wx-app-conditions';
import { wxSocketTransport } from '../adapters/wx-socket';

export type TokenSource = string | (() => string | PromiseLike<string>);

export interface SocketManagerConfig extends Partial<Omit<SocketClientOptions, 'target' | 'transport'>> {
  /** ws(s)://host/socket (or a container path with a cloud transport). */
  url: string;
  /** Added as `token=` to the URL on every attempt; a function is called each time (refresh). */
  token?: TokenSource;
  /** Added as `env=`; default 'miniapp' (with `protocol: 'plain'`: nothing added unless given). */
  env?: string;
  header?: Record<string, string>;
  protocols?: string[];
  /** Keep the connection open at app level after the last page leaves. */
  keepAlive?: boolean;
  /** Default: wx.connectSocket. */
  transport?: SocketTransport;
}

export interface SocketLease {
  readonly client: SocketClient;
  readonly key: string;
  /** Idempotent. */
  release(): void;
}

interface PoolEntry {
  key: string;
  client: SocketClient;
  users: number;
  keepAlive: boolean;
  /** The options the connection was made with; a later user must ask for the same. */
  config: SocketManagerConfig;
}

const pool = new Map<string, PoolEntry>();
const conditions = { hidden: false, offline: false };
let unwatch: (() => void) | undefined;
let appEventsApi: WxAppEventsApi | undefined;

export function acquireSocket(config: SocketManagerConfig): SocketLease {
  if (!config || typeof config.url !== 'string' || !config.url) {
    throw new HybridError('BAD_REQUEST', 'socket-manager needs a url (socketUrl property or socketConfig().url)');
  }
  const key = poolKey(config);
  let entry = pool.get(key);
  if (entry) checkSameOptions(entry.config, config);
  else {
    entry = { key, client: createClient(config), users: 0, keepAlive: !!config.keepAlive, config };
    pool.set(key, entry);
    startWatching();
  }
  entry.users++;
  entry.keepAlive = entry.keepAlive || !!config.keepAlive;
  if (!conditions.hidden && !conditions.offline) entry.client.connect();
  const held = entry;
  let released = false;
  return {
    client: held.client,
    key,
    release() {
      if (released) return;
      released = true;
      held.users--;
      if (held.users <= 0 && !held.keepAlive) removeEntry(held);
    },
  };
}

/** Closes every pooled connection, keep-alive ones included (app exit, logout, tests). */
export function closeAllSockets(): void {
  for (const entry of Array.from(pool.values())) removeEntry(entry);
}

/** Pooled connections and their user counts. */
export function socketPoolStats(): Array<{ key: string; users: number; state: string }> {
  return Array.from(pool.values()).map((e) => ({ key: e.key, users: e.users, state: e.client.state }));
}

/** Which wx object app events come from (tests; platforms with a wx-like global under another name). */
export function setAppEventsApi(api: WxAppEventsApi | undefined): void {
  appEventsApi = api;
}

function removeEntry(entry: PoolEntry): void {
  if (pool.get(entry.key) !== entry) return;
  pool.delete(entry.key);
  entry.client.destroy();
  if (pool.size === 0 && unwatch) {
    unwatch();
    unwatch = undefined;
    // Unwatched, we can no longer tell: assume visible and online until told otherwise.
    conditions.hidden = false;
    conditions.offline = false;
  }
}

/** What a connection is to whom: a user asking for other values of these must not get it. */
const IDENTITY_OPTIONS = ['token', 'header', 'protocols', 'transport', 'protocol'] as const;

/**
 * A shared connection is one identity. A second user asking for the same URL and env with
 * another token provider, header, sub-protocols, transport or protocol is refused rather than
 * silently given the first one's. (Tuning options such as timeouts are the first user's.)
 * Functions are the same when they are the same function or have the same source (a page
 * writing `token: () => app.token()` again).
 */
function checkSameOptions(first: SocketManagerConfig, next: SocketManagerConfig): void {
  const differ = IDENTITY_OPTIONS.filter((k) => !sameOption(first[k], next[k]));
  if (differ.length) {
    throw new HybridError(
      'BAD_REQUEST',
      `a shared connection to ${first.url} (env ${first.env || MINIAPP_ENV}) is already open with other ${differ.join(', ')}; ` +
        'pass the same options, or use another env or token',
    );
  }
}

function sameOption(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (typeof x === 'function' || typeof y === 'function') return typeof x === typeof y && String(x) === String(y);
  try {
    return JSON.stringify(x) === JSON.stringify(y);
  } catch {
    return false;
  }
}

export function poolKey(config: SocketManagerConfig): string {
  // A token provider cannot be compared: connections with one are shared per URL + env.
  const token = typeof config.token === 'string' ? config.token : '';
  return `${config.url}|${config.env || MINIAPP_ENV}|${token}`;
}

function createClient(config: SocketManagerConfig): SocketClient {
  const { url, token, header, protocols, keepAlive: _keepAlive, transport, ...options } = config;
  // A plain server gets the URL as written (plus a token when one is given), not our query.
  const env = config.env ?? (config.protocol === 'plain' ? undefined : MINIAPP_ENV);
  const target = (): ConnectTarget | PromiseLike<ConnectTarget> => {
    const build = (t?: string): ConnectTarget => ({ url: withQuery(url, { token: t, env }), header, protocols });
    if (typeof token !== 'function') return build(token);
    const value = token();
    return typeof value === 'string' ? build(value) : value.then(build);
  };
  return new SocketClient({ ...options, transport: transport || wxSocketTransport(), target });
}

function startWatching(): void {
  if (unwatch) return;
  unwatch = watchAppConditions(
    {
      hide: () => {
        conditions.hidden = true;
        forEachClient((c) => c.pause('app hidden'));
      },
      show: () => {
        conditions.hidden = false;
        wake('app shown');
      },
      network: (online) => {
        conditions.offline = !online;
        if (online) wake('network back');
        else forEachClient((c) => c.pause('offline'));
      },
    },
    appEventsApi,
  );
}

function wake(reason: string): void {
  if (conditions.hidden || conditions.offline) return;
  forEachClient((c) => {
    if (c.state === 'paused') c.resume(reason);
    else if (c.state === 'waiting' || c.state === 'idle' || gaveUpRetrying(c)) c.connect();
    else c.checkAlive();
  });
}

/** Failed because the retries ran out (not because of a terminal close code): worth a new try now. */
function gaveUpRetrying(client: SocketClient): boolean {
  const lastClose = client.stats().lastClose;
  return client.state === 'failed' && !!lastClose && decideOnClose(lastClose) === 'retry';
}

function forEachClient(fn: (client: SocketClient) => void): void {
  for (const entry of Array.from(pool.values())) fn(entry.client);
}
