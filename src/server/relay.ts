/**
 * The relay: pairs the envs of a token (h5, miniapp or any name), forwards frames between them with a
 * per token+env seq, keeps a backlog for a reconnecting peer, and enforces auth and limits.
 *
 *   const relay = createRelayServer({ port: 0, secret });  await relay.listen();  …  await relay.close();
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import type { Duplex } from 'stream';
import { RawData, WebSocket, WebSocketServer } from 'ws';
import { HybridError } from '../core/errors';
import { decodeFrame, errorFrame, Frame, KnownFrame } from '../core/frames';
import { PROTOCOL_VERSION } from '../core/limits';
import { admit, Admission, ENV_PATTERN, isOpenMode, refuseUpgrade, UpgradeRefusal } from './admission';
import { CLOSE_CODES, Connection } from './connection';
import { createHttpHandler, HttpHandler } from './http-routes';
import type { Hub, HubEvents } from './hub';
import { MemoryHub } from './memory-hub';
import { MetricsSnapshot, RelayMetrics, renderPrometheus } from './metrics';
import { RelayOptions, resolveOptions } from './options';
import { takeToken } from './rate-limit';
import { RedisHub } from './redis-hub';
import { SendBatcher } from './send-batch';

export interface RelayServer {
  readonly options: RelayOptions;
  /** The HTTP server (created, or the one given in `options.server`). */
  readonly httpServer: http.Server;
  /** /healthz, /metrics, /hybrid-kit.js and static files; also express/connect middleware. */
  readonly http: HttpHandler;
  /** Starts Redis (if any) and the sweep; binds the port unless attached to a user's server. */
  listen(): Promise<AddressInfo | null>;
  /** Tells every client to reconnect (1001), waits up to `graceMs` for them to go, then stops. */
  close(options?: { graceMs?: number }): Promise<void>;
  address(): AddressInfo | null;
  /** ws://host:port/path of a listening standalone relay. */
  url(): string;
  metrics(): MetricsSnapshot;
  prometheus(): string;
}

type Routing = { to?: string; from?: string; seq?: number };
const SERVER_ONLY_TYPES = ['hello', 'presence', 'error'];
const LOOPBACK = ['127.0.0.1', 'localhost', '::1'];

export function createRelayServer(partial: Partial<RelayOptions> = {}): RelayServer {
  const options = resolveOptions(partial);
  const log = options.logger || { info() {}, warn() {}, error() {} };
  const attached = !!options.server;
  const open = isOpenMode(options);
  if (open && !attached && !options.allowOpenPublic && LOOPBACK.indexOf(options.host) < 0) {
    log.warn(`hybrid-kit: no secret given: refusing to bind ${options.host} in open mode; binding 127.0.0.1`);
    options.host = '127.0.0.1';
  }

  const metrics = new RelayMetrics();
  const locals = new Map<string, Map<string, Connection>>();
  const all = new Set<Connection>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes, perMessageDeflate: false, clientTracking: false });
  const limit = { perSecond: options.ratePerSecond, burst: options.rateBurst };
  const batcher = new SendBatcher();
  const frameLimits = { maxFrameBytes: options.maxFrameBytes };
  let closing = false;
  let sweepTimer: NodeJS.Timeout | null = null;
  const startedAt = Date.now();

  const events: HubEvents = {
    deliver,
    presence(key, env, online) {
      const envs = locals.get(key);
      if (!envs) return;
      for (const [peerEnv, conn] of envs) if (peerEnv !== env) sendControl(conn, { type: 'presence', env, online });
    },
    joined(key, env, joinNo) {
      const conn = locals.get(key)?.get(env);
      if (conn && conn.joinNo && conn.joinNo < joinNo) replace(conn);
    },
    local: (key, env) => locals.get(key)?.get(env),
    localEnvs: (key) => [...(locals.get(key)?.keys() || [])],
    dropped(reason, count) {
      metrics.drops[reason] += count;
    },
  };
  const hub: Hub = options.redisUrl ? new RedisHub(events, options, log) : new MemoryHub(events, options);

  const httpHandler = createHttpHandler(options, {
    health: () => ({ status: closing ? 'closing' : 'ok', mode: open ? 'open' : options.secret ? 'signed' : 'verifier', redis: !!options.redisUrl, connections: all.size, uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) }),
    prometheus: () => renderPrometheus(snapshot()),
  });
  const httpServer = options.server || http.createServer(httpHandler);
  httpServer.on('upgrade', onUpgrade);

  function snapshot(): MetricsSnapshot {
    let pairs = 0;
    for (const envs of locals.values()) if (envs.size >= 2) pairs++;
    return metrics.snapshot(all.size, pairs);
  }

  // ---- upgrade: everything is checked before the socket opens ----

  function onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url || '/', 'http://relay');
    if (url.pathname !== options.path) {
      if (!attached) refuseUpgrade(socket, 400, 'BAD_REQUEST', `WebSocket path is ${options.path}`);
      return; // attached: another upgrade handler of the user's server may want it
    }
    socket.on('error', () => socket.destroy());
    if (closing) return refuse(socket, new UpgradeRefusal(503, 'OFFLINE', 'server is shutting down', 'shutting_down'));
    admit(req, url, options).then(
      (admission) => {
        if (socket.destroyed) return;
        if (closing) return refuse(socket, new UpgradeRefusal(503, 'OFFLINE', 'server is shutting down', 'shutting_down'));
        const envs = locals.get(admission.key);
        if (envs && !envs.has(admission.env) && envs.size >= options.maxEnvsPerToken) {
          return refuse(socket, new UpgradeRefusal(403, 'QUEUE_FULL', `this token already has ${options.maxEnvsPerToken} envs connected`, 'forbidden'));
        }
        wss.handleUpgrade(req, socket, head, (ws) => onOpen(ws, admission));
      },
      (err) => refuse(socket, err instanceof UpgradeRefusal ? err : new UpgradeRefusal(401, 'UNAUTHORIZED', String(err), 'unauthorized')),
    );
  }

  function refuse(socket: Duplex, err: UpgradeRefusal): void {
    metrics.rejects[err.reason]++;
    refuseUpgrade(socket, err.status, err.code, err.message);
  }

  // ---- connection lifecycle ----

  function onOpen(ws: WebSocket, { key, env, expiresAt }: Admission): void {
    const conn = new Connection(ws, key, env, expiresAt, options.rateBurst, Date.now());
    all.add(conn);
    metrics.connectionsTotal++;
    let envs = locals.get(key);
    if (!envs) locals.set(key, (envs = new Map()));
    const old = envs.get(env);
    envs.set(env, conn);
    if (old) replace(old);
    ws.on('message', (data, isBinary) => onFrame(conn, data, isBinary));
    ws.on('pong', () => (conn.alive = true));
    ws.on('close', () => onClose(conn));
    ws.on('error', (err: Error & { code?: string }) => {
      // ws closes the socket itself ('close' follows); count the reason.
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        metrics.rejects.too_large++;
        metrics.close(CLOSE_CODES.tooLarge);
      }
    });
    conn.resumeTimer = setTimeout(() => startLive(conn, null), options.resumeWaitMs);
    hub.join(conn, !!old, (peers) => {
      if (conn.state === 'closed') return;
      conn.joined = true;
      sendControl(conn, { type: 'hello', v: PROTOCOL_VERSION, env, peers });
      if (conn.resumeAfter !== undefined) startLive(conn, conn.resumeAfter);
    });
  }

  /** A newer connection took this token+env: close the old one, terminally, without a presence flap. */
  function replace(old: Connection): void {
    if (locals.get(old.key)?.get(old.env) === old) locals.get(old.key)!.delete(old.env);
    closeConn(old, CLOSE_CODES.replaced, 'replaced by a newer connection');
    hub.leave(old, false);
  }

  function onClose(conn: Connection): void {
    all.delete(conn);
    const wasCurrent = locals.get(conn.key)?.get(conn.env) === conn;
    if (conn.resumeTimer) clearTimeout(conn.resumeTimer);
    conn.state = 'closed';
    if (!wasCurrent) return; // replaced: already accounted for
    const envs = locals.get(conn.key)!;
    envs.delete(conn.env);
    if (!envs.size) locals.delete(conn.key);
    hub.leave(conn, true);
  }

  function closeConn(conn: Connection, code: number, reason: string): void {
    if (conn.state === 'closed') return;
    metrics.close(code);
    conn.close(code, reason);
  }

  // ---- frames from a client ----

  function onFrame(conn: Connection, data: RawData, isBinary: boolean): void {
    if (conn.state === 'closed') return;
    metrics.messagesReceived++;
    if (!takeToken(conn, limit, Date.now())) return rateLimited(conn, data, isBinary);
    conn.strikes = 0;
    if (isBinary) return refuseFrame(conn, new HybridError('BAD_REQUEST', 'binary frames are not accepted: send JSON text'));
    const text = data.toString();
    let frame: Frame;
    try {
      frame = decodeFrame(text, frameLimits);
    } catch (err) {
      const details = (err as HybridError).details as { id?: string } | undefined;
      return refuseFrame(conn, err, details?.id);
    }
    const known = frame as KnownFrame;
    switch (known.type) {
      case 'ping':
        sendControl(conn, known.ts === undefined ? { type: 'pong' } : { type: 'pong', ts: known.ts });
        if (known.lastSeq !== undefined) hub.confirm(conn.key, conn.env, known.lastSeq);
        return;
      case 'pong':
        return;
      case 'resume':
        if (conn.state === 'pending') startLive(conn, known.lastSeq);
        else hub.confirm(conn.key, conn.env, known.lastSeq);
        return;
      default:
        if (SERVER_ONLY_TYPES.indexOf(frame.type) >= 0) {
          return refuseFrame(conn, new HybridError('BAD_REQUEST', `"${frame.type}" frames are sent by the server only`), idOf(frame));
        }
        route(conn, frame, text);
    }
  }

  function route(conn: Connection, frame: Frame, text: string): void {
    // A client that talks before sending `resume` is a plain one: serve it live now.
    if (conn.state === 'pending') startLive(conn, null);
    const to = (frame as Routing).to;
    if (to !== undefined && (!ENV_PATTERN.test(to) || to === conn.env)) {
      return refuseFrame(conn, new HybridError('BAD_REQUEST', to === conn.env ? '"to" names the sender itself' : `"to" is not a valid env: ${to}`), idOf(frame));
    }
    const tail = conn.fromField + innerJson(frame, text);
    const ackId = frame.type === 'message' ? idOf(frame) : undefined;
    hub.forward(conn.key, conn.env, to, tail, (err) => {
      if (err) {
        metrics.rejects.offline++;
        sendControl(conn, errorFrame(err, idOf(frame)));
      } else if (ackId !== undefined) {
        sendControl(conn, { type: 'ack', id: ackId });
      }
    });
  }

  function rateLimited(conn: Connection, data: RawData, isBinary: boolean): void {
    metrics.rejects.rate_limited++;
    if (++conn.strikes > options.rateBurst) return closeConn(conn, CLOSE_CODES.rateLimited, 'rate limit exceeded');
    let id: string | undefined;
    if (!isBinary) {
      try {
        id = idOf(decodeFrame(data.toString(), frameLimits));
      } catch {
        id = undefined;
      }
    }
    sendControl(conn, errorFrame(new HybridError('RATE_LIMITED', `more than ${options.ratePerSecond} frames per second; frame dropped`), id));
  }

  function refuseFrame(conn: Connection, err: unknown, id?: string): void {
    metrics.rejects.bad_frame++;
    sendControl(conn, errorFrame(err, id));
  }

  // ---- frames to a client ----

  function sendControl(conn: Connection, frame: Frame): void {
    if (conn.state !== 'closed') sendText(conn, JSON.stringify(frame));
  }

  function sendText(conn: Connection, text: string): boolean {
    if (conn.ws.readyState !== WebSocket.OPEN) return false;
    if (conn.ws.bufferedAmount > options.maxBufferedBytes) {
      metrics.drops.slow_consumer++;
      closeConn(conn, CLOSE_CODES.slowConsumer, 'slow consumer: send buffer full');
      return false;
    }
    batcher.hold(conn.ws);
    conn.ws.send(text);
    return true;
  }

  function deliver(key: string, env: string, seq: number, text: string): void {
    const conn = locals.get(key)?.get(env);
    if (!conn) return; // the backlog keeps it for the next connection
    if (conn.state === 'live') sendStamped(conn, seq, text);
    else if (conn.state === 'replaying') conn.held!.push([seq, text]);
  }

  function sendStamped(conn: Connection, seq: number, text: string): void {
    if (seq > conn.sentSeq && sendText(conn, text)) {
      conn.sentSeq = seq;
      metrics.messagesForwarded++;
    }
  }

  /** Replays the backlog after `after` (null: after what the last connection of this env got), then goes live. */
  function startLive(conn: Connection, after: number | null): void {
    if (conn.state !== 'pending') return;
    if (!conn.joined) {
      conn.resumeAfter = after;
      return;
    }
    if (conn.resumeTimer) clearTimeout(conn.resumeTimer);
    conn.resumeTimer = null;
    conn.state = 'replaying';
    conn.held = [];
    if (after !== null) conn.sentSeq = after;
    hub.replay(conn.key, conn.env, after, (frames) => {
      if (conn.state !== 'replaying') return;
      for (const [seq, text] of frames) sendStamped(conn, seq, text);
      for (const [seq, text] of conn.held!) sendStamped(conn, seq, text);
      conn.held = null;
      if (conn.state === 'replaying') conn.state = 'live';
    });
  }

  // ---- one interval for every connection: ping, dead peers, expired tokens, backlogs ----

  function sweep(): void {
    const now = Date.now();
    for (const conn of all) {
      if (conn.state === 'closed') continue;
      if (conn.expiresAt && conn.expiresAt <= now) {
        closeConn(conn, CLOSE_CODES.expired, 'token expired');
      } else if (!conn.alive) {
        metrics.close(1006);
        conn.state = 'closed';
        conn.ws.terminate();
      } else {
        conn.alive = false;
        conn.ws.ping();
      }
    }
    hub.sweep(now);
  }

  async function listen(): Promise<AddressInfo | null> {
    if (hub instanceof RedisHub) await hub.start();
    if (!sweepTimer) sweepTimer = setInterval(sweep, options.pingIntervalMs);
    if (open) log.warn(openModeBanner());
    if (attached) return null;
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(options.port, options.host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
    log.info(`hybrid-kit relay listening on ${relay.url()}${options.redisUrl ? ' (redis)' : ''}`);
    return relay.address();
  }

  function openModeBanner(): string {
    const line = '!'.repeat(72);
    return `${line}\n  hybrid-kit relay in OPEN DEVELOPMENT MODE: no --secret, any token is accepted.\n  Bound to ${options.host} only. Set HYBRID_KIT_SECRET (or --secret) before exposing it.\n${line}`;
  }

  async function close({ graceMs = 1000 }: { graceMs?: number } = {}): Promise<void> {
    closing = true;
    if (sweepTimer) clearInterval(sweepTimer);
    sweepTimer = null;
    for (const conn of all) closeConn(conn, CLOSE_CODES.shuttingDown, 'server shutting down, reconnect');
    batcher.flush();
    await waitUntil(() => all.size === 0, graceMs);
    for (const conn of all) conn.ws.terminate();
    await waitUntil(() => all.size === 0, 200);
    await hub.close();
    httpServer.off('upgrade', onUpgrade);
    if (!attached && httpServer.listening) {
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
    }
  }

  const relay: RelayServer = {
    options,
    httpServer,
    http: httpHandler,
    listen,
    close,
    address: () => (attached ? null : (httpServer.address() as AddressInfo | null)),
    url() {
      const a = relay.address();
      const host = a ? (a.family === 'IPv6' ? `[${a.address}]` : a.address) : options.host;
      return `ws://${host}:${a ? a.port : options.port}${options.path}`;
    },
    metrics: snapshot,
    prometheus: () => renderPrometheus(snapshot()),
  };
  return relay;
}

function idOf(frame: Frame): string | undefined {
  const id = (frame as { id?: unknown }).id;
  return typeof id === 'string' ? id : undefined;
}

/** The frame's JSON without its opening brace, minus any `from`/`seq` a client tried to set. */
function innerJson(frame: Frame, text: string): string {
  if ((frame as Routing).from !== undefined || (frame as Routing).seq !== undefined) {
    const { from: _from, seq: _seq, ...rest } = frame as Record<string, unknown>;
    return JSON.stringify(rest).slice(1);
  }
  return text.slice(text.indexOf('{') + 1);
}

function waitUntil(done: () => boolean, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const started = Date.now();
    const check = () => (done() || Date.now() - started >= ms ? resolve() : setTimeout(check, 10));
    check();
  });
}
