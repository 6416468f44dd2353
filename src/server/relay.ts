/**
 * The relay: pairs the envs of a token (h5, miniapp or any name), forwards frames between them with a
 * per token+env seq, keeps a backlog for a reconnecting peer, and enforces auth and limits.
 * This file wires the parts together and runs listen/close; the parts live in upgrade.ts (checks
 * before a socket opens), sessions.ts (open, close, sweep of each socket), registry.ts (connections,
 * presence), intake.ts (decode, limits, routing), delivery.ts (writes, replay) and the hub chosen by
 * hub-factory.ts (seq, backlog, fan-out).
 *
 *   const relay = createRelayServer({ port: 0, secret });  await relay.listen();  …  await relay.close();
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import { WebSocketServer } from 'ws';
import { isOpenMode } from './admission';
import { CLOSE_CODES } from './connection';
import { Outlet, Replayer } from './delivery';
import type { Hub } from './hub';
import { createHub } from './hub-factory';
import { createHttpHandler, HttpHandler } from './http-routes';
import { Intake } from './intake';
import { MetricsSnapshot, RelayMetrics } from './metrics';
import { createMetricsEndpoint } from './metrics-endpoint';
import { RelayLogger, RelayOptions, resolveOptions } from './options';
import { Receipts } from './receipts';
import { ConnectionRegistry } from './registry';
import { Sessions } from './sessions';
import { createUpgradeHandler } from './upgrade';

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

/** The parts of one relay, wired together (each is a module with its own tests). */
interface RelayParts {
  options: RelayOptions;
  log: RelayLogger;
  open: boolean;
  attached: boolean;
  metrics: RelayMetrics;
  outlet: Outlet;
  registry: ConnectionRegistry;
  hub: Hub;
  sessions: Sessions;
  wss: WebSocketServer;
}

export function createRelayServer(partial: Partial<RelayOptions> = {}): RelayServer {
  const parts = assemble(resolveOptions(partial));
  const { options, metrics, registry, open, attached } = parts;
  let closing = false;
  const startedAt = Date.now();
  const snapshot = (): MetricsSnapshot => metrics.snapshot(registry.size, registry.pairs());
  const metricsEndpoint = createMetricsEndpoint(options, metrics, snapshot);
  const httpHandler = createHttpHandler(options, {
    health: () => ({ status: closing ? 'closing' : 'ok', mode: open ? 'open' : options.verify ? 'verifier' : 'signed', redis: !!options.redisUrl, connections: registry.size, uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) }),
    prometheus: metricsEndpoint.prometheus,
  });
  const httpServer = options.server || http.createServer(httpHandler);
  const onUpgrade = createUpgradeHandler({ ...parts, closing: () => closing, open: (ws, admission, legacy) => parts.sessions.open(ws, admission, legacy) });
  httpServer.on('upgrade', onUpgrade);
  let sweepTimer: NodeJS.Timeout | null = null;

  const relay: RelayServer = {
    options,
    httpServer,
    http: httpHandler,
    async listen() {
      await parts.hub.start();
      if (!sweepTimer) sweepTimer = setInterval(sweep, options.pingIntervalMs, parts);
      if (open) parts.log.warn(openModeBanner(options.host));
      await metricsEndpoint.listen(parts.log);
      return attached ? null : listenStandalone(relay, parts);
    },
    async close({ graceMs = 1000 } = {}) {
      closing = true;
      if (sweepTimer) clearInterval(sweepTimer);
      sweepTimer = null;
      await closeConnections(parts, graceMs);
      await metricsEndpoint.close();
      httpServer.off('upgrade', onUpgrade);
      if (!attached && httpServer.listening) await closeHttpServer(httpServer);
    },
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

/** Builds the parts: outlet → registry → receipts → hub → replayer → intake → sessions. */
function assemble(options: RelayOptions): RelayParts {
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
  const sessions = new Sessions({ options, metrics, registry, outlet, replayer, intake, hub });
  // No perMessageDeflate: its per-socket zlib state costs memory and CPU for short JSON frames.
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes, perMessageDeflate: false, clientTracking: false });
  return { options, log, open, attached, metrics, outlet, registry, hub, sessions, wss };
}

/** The sweep interval: sessions (ping, dead, expired), then the hub (backlogs, liveness). */
function sweep(parts: RelayParts): void {
  const now = Date.now();
  parts.sessions.sweep(now);
  parts.hub.sweep(now);
}

async function listenStandalone(relay: RelayServer, { options, log }: RelayParts): Promise<AddressInfo | null> {
  await new Promise<void>((resolve, reject) => {
    relay.httpServer.once('error', reject);
    relay.httpServer.listen(options.port, options.host, () => {
      relay.httpServer.off('error', reject);
      resolve();
    });
  });
  log.info(`hybrid-kit relay listening on ${relay.url()}${options.redisUrl ? ' (redis)' : ''}`);
  return relay.address();
}

function openModeBanner(host: string): string {
  const line = '!'.repeat(72);
  return `${line}\n  hybrid-kit relay in OPEN DEVELOPMENT MODE: no --secret, any token is accepted.\n  Bound to ${host} only. Set HYBRID_KIT_SECRET (or --secret-stdin) before exposing it.\n${line}`;
}

/** Tells every client to reconnect (1001), waits up to `graceMs`, ends the rest, stops the hub. */
async function closeConnections({ registry, outlet, hub }: RelayParts, graceMs: number): Promise<void> {
  for (const conn of registry.all) outlet.close(conn, CLOSE_CODES.shuttingDown, 'server shutting down, reconnect');
  outlet.flush();
  await waitUntil(() => registry.size === 0, graceMs);
  for (const conn of registry.all) conn.ws.terminate();
  await waitUntil(() => registry.size === 0, 200);
  await hub.close();
}

function closeHttpServer(server: http.Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function waitUntil(done: () => boolean, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const started = Date.now();
    const check = () => (done() || Date.now() - started >= ms ? resolve() : setTimeout(check, 10));
    check();
  });
}
