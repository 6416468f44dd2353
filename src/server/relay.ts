/**
 * The relay: pairs the envs of a token (h5, miniapp or any name), forwards frames between them with a
 * per token+env seq, keeps a backlog for a reconnecting peer, and enforces auth and limits.
 * This file is the lifecycle (upgrade, open, close, sweep, listen); the parts live in
 * registry.ts (connections, presence), intake.ts (decode, limits, routing), delivery.ts (writes,
 * replay) and the hub chosen by hub-factory.ts (seq, backlog, fan-out).
 *
 *   const relay = createRelayServer({ port: 0, secret });  await relay.listen();  …  await relay.close();
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import type { Duplex } from 'stream';
import { WebSocket, WebSocketServer } from 'ws';
import { PROTOCOL_VERSION } from '../core/limits';
import { admit, Admission, isOpenMode, refuseUpgrade, UpgradeRefusal } from './admission';
import { CLOSE_CODES, Connection } from './connection';
import { Outlet, Replayer } from './delivery';
import { createHub } from './hub-factory';
import { createHttpHandler, HttpHandler } from './http-routes';
import { Intake } from './intake';
import { isLegacyUrl } from './legacy-clients';
import { MetricsSnapshot, RelayMetrics } from './metrics';
import { createMetricsEndpoint } from './metrics-endpoint';
import { RelayOptions, resolveOptions } from './options';
import { Receipts } from './receipts';
import { ConnectionRegistry } from './registry';

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
  /** The Prometheus exposition of the relay's registry (needs prom-client). */
  prometheus(): Promise<string>;
  /** The port of the separate metrics server (`metricsPort`), once listening; else null. */
  metricsPort(): number | null;
}

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
  const outlet = new Outlet(options.maxBufferedBytes, metrics);
  const registry = new ConnectionRegistry(outlet, (conn, gone) => hub.leave(conn, gone));
  const receipts = new Receipts((key, from, to, tail, done) => hub.forward(key, from, to, tail, done), metrics);
  const hub = createHub({ registry, options, metrics, receipts, log });
  const replayer = new Replayer(outlet, hub);
  outlet.legacyWritten = (conn, seq) => hub.confirm(conn.key, conn.env, seq);
  const intake = new Intake({ options, metrics, outlet, replayer, hub });
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes, perMessageDeflate: false, clientTracking: false });
  let closing = false;
  let sweepTimer: NodeJS.Timeout | null = null;
  const startedAt = Date.now();

  const metricsEndpoint = createMetricsEndpoint(options, metrics, snapshot);
  const httpHandler = createHttpHandler(options, {
    health: () => ({ status: closing ? 'closing' : 'ok', mode: open ? 'open' : options.verify ? 'verifier' : 'signed', redis: !!options.redisUrl, connections: registry.size, uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) }),
    prometheus: metricsEndpoint.prometheus,
  });
  const httpServer = options.server || http.createServer(httpHandler);
  httpServer.on('upgrade', onUpgrade);

  function snapshot(): MetricsSnapshot {
    return metrics.snapshot(registry.size, registry.pairs());
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
        const count = registry.envCount(admission.key);
        if (count >= options.maxEnvsPerToken && !registry.get(admission.key, admission.env)) {
          return refuse(socket, new UpgradeRefusal(403, 'QUEUE_FULL', `this token already has ${options.maxEnvsPerToken} envs connected`, 'forbidden'));
        }
        wss.handleUpgrade(req, socket, head, (ws) => onOpen(ws, admission, isLegacyUrl(url)));
      },
      (err) => refuse(socket, err instanceof UpgradeRefusal ? err : new UpgradeRefusal(401, 'UNAUTHORIZED', String(err), 'unauthorized')),
    );
  }

  function refuse(socket: Duplex, err: UpgradeRefusal): void {
    metrics.rejects[err.reason]++;
    refuseUpgrade(socket, err.status, err.code, err.message);
  }

  // ---- connection lifecycle ----

  function onOpen(ws: WebSocket, { key, env, expiresAt }: Admission, legacy: boolean): void {
    const conn = new Connection(ws, key, env, expiresAt, options.rateBurst, Date.now());
    conn.legacy = legacy;
    metrics.connectionsTotal++;
    const old = registry.add(conn);
    ws.on('message', (data, isBinary) => intake.onFrame(conn, data, isBinary));
    ws.on('pong', () => (conn.alive = true));
    ws.on('close', () => onClose(conn));
    ws.on('error', (err: Error & { code?: string }) => {
      // ws closes the socket itself with the code ('close' follows); count the reason.
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        metrics.rejects.too_large++;
        metrics.close(CLOSE_CODES.tooLarge);
      } else if (err.code?.startsWith('WS_ERR_')) {
        metrics.rejects.bad_frame++;
        metrics.close(err.code === 'WS_ERR_INVALID_UTF8' ? CLOSE_CODES.invalidPayload : CLOSE_CODES.protocolError);
      }
    });
    conn.resumeTimer = setTimeout(() => replayer.startLive(conn, null), options.resumeWaitMs);
    hub.join(conn, !!old, (peers) => {
      if (conn.state === 'closed') return;
      outlet.control(conn, { type: 'hello', v: PROTOCOL_VERSION, env, peers, receipts: true, store: hub.storeId });
      replayer.joined(conn);
    });
  }

  function onClose(conn: Connection): void {
    if (conn.resumeTimer) clearTimeout(conn.resumeTimer);
    conn.state = 'closed';
    registry.remove(conn);
  }

  // ---- one interval for every connection: ping, dead peers, expired tokens, backlogs ----

  function sweep(): void {
    const now = Date.now();
    for (const conn of registry.all) {
      if (conn.state === 'closed') continue;
      if (conn.expiresAt && conn.expiresAt <= now) {
        outlet.close(conn, CLOSE_CODES.expired, 'token expired');
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
    await hub.start();
    if (!sweepTimer) sweepTimer = setInterval(sweep, options.pingIntervalMs);
    if (open) log.warn(openModeBanner());
    await metricsEndpoint.listen(log);
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
    return `${line}\n  hybrid-kit relay in OPEN DEVELOPMENT MODE: no --secret, any token is accepted.\n  Bound to ${options.host} only. Set HYBRID_KIT_SECRET (or --secret-stdin) before exposing it.\n${line}`;
  }

  async function close({ graceMs = 1000 }: { graceMs?: number } = {}): Promise<void> {
    closing = true;
    if (sweepTimer) clearInterval(sweepTimer);
    sweepTimer = null;
    for (const conn of registry.all) outlet.close(conn, CLOSE_CODES.shuttingDown, 'server shutting down, reconnect');
    outlet.flush();
    await waitUntil(() => registry.size === 0, graceMs);
    for (const conn of registry.all) conn.ws.terminate();
    await waitUntil(() => registry.size === 0, 200);
    await hub.close();
    await metricsEndpoint.close();
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
    prometheus: async () => (await metricsEndpoint.prometheus()).body,
    metricsPort: metricsEndpoint.port,
  };
  return relay;
}

function waitUntil(done: () => boolean, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const started = Date.now();
    const check = () => (done() || Date.now() - started >= ms ? resolve() : setTimeout(check, 10));
    check();
  });
}
