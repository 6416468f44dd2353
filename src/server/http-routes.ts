/**
 * Plain HTTP side of the relay: /healthz always; /metrics with `metrics` (behind a bearer token
 * when `metricsToken` is set, or on its own port with `metricsPort`); /hybrid-kit.js; the demo
 * page directory only with `demo`.
 */
import { timingSafeEqual } from 'crypto';
import { existsSync } from 'fs';
import type { IncomingMessage, ServerResponse } from 'http';
import type { RelayOptions } from './options';
import { isMissingPeer } from './peer';
import { DEFAULT_H5_SCRIPT, DEFAULT_STATIC_DIR, directoryServer, fileServer } from './static-files';

export interface HttpSources {
  health(): Record<string, unknown>;
  /** The Prometheus exposition and its content type. */
  prometheus(): Promise<{ type: string; body: string }>;
}

export type HttpHandler = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

const BUILT_IN_INDEX =
  'miniprogram-hybrid-kit relay\n\nWebSocket: /socket?token=<token>&env=<h5|miniapp|…>\nHealth: /healthz\n' +
  '\nNo demo page here: start with --demo to serve one.\n';

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', ...headers });
  res.end(body);
}

const sendError = (res: ServerResponse, status: number, code: string, message: string, headers?: Record<string, string>) =>
  send(res, status, 'application/json', JSON.stringify({ code, message }), headers);

/** The directory and script actually served (the demo directory only with `demo`; defaults only when they exist). */
export function staticSources(options: RelayOptions): { dir: string | null; script: string | null } {
  const wanted = options.demo && options.staticDir !== false ? options.staticDir || DEFAULT_STATIC_DIR : null;
  const script = options.h5Script === false ? null : options.h5Script || DEFAULT_H5_SCRIPT;
  return { dir: wanted && existsSync(wanted) ? wanted : null, script: script && existsSync(script) ? script : null };
}

/** `Authorization: Bearer <token>` compared in constant time; true when no token is configured. */
export function bearerAllowed(req: IncomingMessage, token: string | undefined): boolean {
  if (!token) return true;
  const given = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization || '')?.[1] || '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** GET /metrics: the exposition, or 401 without the bearer token. */
export function serveMetrics(req: IncomingMessage, res: ServerResponse, token: string | undefined, sources: Pick<HttpSources, 'prometheus'>): void {
  if (!bearerAllowed(req, token)) {
    return sendError(res, 401, 'UNAUTHORIZED', 'metrics need "Authorization: Bearer <metricsToken>"', { 'WWW-Authenticate': 'Bearer realm="metrics"' });
  }
  sources.prometheus().then(
    ({ type, body }) => send(res, 200, type, body),
    (err) => sendError(res, 500, 'HANDLER_ERROR', `metrics failed: ${(err as Error).message}`),
  );
}

/**
 * The SDK at /hybrid-kit.js through sirv. The default one is a convenience: without sirv installed
 * it is left out with a warning (the relay itself needs no static files); one you asked for by
 * `h5Script` is required.
 */
function sdkServer(options: RelayOptions, script: string): ReturnType<typeof fileServer> | null {
  try {
    return fileServer(script);
  } catch (err) {
    if (options.h5Script || !isMissingPeer(err)) throw err;
    if (options.logger) options.logger.warn(`hybrid-kit: /hybrid-kit.js is not served: ${(err as Error).message}`);
    return null;
  }
}

/**
 * Usable as the request listener of a standalone server, or as express/connect middleware
 * (`app.use(relay.http)`): unknown paths go to `next` when there is one.
 */
export function createHttpHandler(options: RelayOptions, sources: HttpSources): HttpHandler {
  const { dir, script } = staticSources(options);
  const demo = dir ? directoryServer(dir) : null;
  const sdk = script ? sdkServer(options, script) : null;
  const metricsHere = options.metrics && !options.metricsPort;
  const notFound = (res: ServerResponse, next?: (err?: unknown) => void) => (next ? next() : sendError(res, 404, 'BAD_REQUEST', 'not found'));

  return (req, res, next) => {
    const urlPath = (req.url || '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return notFound(res, next);
    if (urlPath === '/healthz') return send(res, 200, 'application/json', JSON.stringify(sources.health()));
    if (urlPath === '/metrics' && metricsHere) return serveMetrics(req, res, options.metricsToken, sources);
    void (async () => {
      if (urlPath === '/hybrid-kit.js' && sdk && (await sdk(req, res)) === 'served') return;
      if (demo) {
        const result = await demo(req, res);
        if (result === 'served') return;
        if (result === 'forbidden') return sendError(res, 403, 'BAD_REQUEST', 'path not allowed');
      }
      if (urlPath === '/' && !next) return send(res, 200, 'text/plain; charset=utf-8', BUILT_IN_INDEX);
      notFound(res, next);
    })().catch((err) => (next ? next(err) : send(res, 500, 'text/plain', 'internal error')));
  };
}
