/** Plain HTTP side of the relay: /healthz, /metrics, /hybrid-kit.js and the demo page. */
import { existsSync } from 'fs';
import type { IncomingMessage, ServerResponse } from 'http';
import type { RelayOptions } from './options';
import { DEFAULT_H5_SCRIPT, DEFAULT_STATIC_DIR, serveFile, serveStatic } from './static-files';

export interface HttpSources {
  health(): Record<string, unknown>;
  prometheus(): string;
}

export type HttpHandler = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

const BUILT_IN_INDEX =
  'miniprogram-hybrid-kit relay\n\nWebSocket: /socket?token=<token>&env=<h5|miniapp|…>\nHealth: /healthz\nMetrics: /metrics\n' +
  '\nNo demo page is installed here: start with --static <dir> to serve one.\n';

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(body);
}

/** The directory and script actually served (defaults apply only when they exist). */
export function staticSources(options: RelayOptions): { dir: string | null; script: string | null } {
  const dir = options.staticDir === false ? null : options.staticDir || (existsSync(DEFAULT_STATIC_DIR) ? DEFAULT_STATIC_DIR : null);
  const script = options.h5Script === false ? null : options.h5Script || DEFAULT_H5_SCRIPT;
  return { dir, script };
}

/**
 * Usable as the request listener of a standalone server, or as express/connect middleware
 * (`app.use(relay.http)`): unknown paths go to `next` when there is one.
 */
export function createHttpHandler(options: RelayOptions, sources: HttpSources): HttpHandler {
  const { dir, script } = staticSources(options);
  const notFound = (res: ServerResponse, next?: (err?: unknown) => void) =>
    next ? next() : send(res, 404, 'application/json', '{"code":"BAD_REQUEST","message":"not found"}');

  return (req, res, next) => {
    const urlPath = (req.url || '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return notFound(res, next);
    if (urlPath === '/healthz') return send(res, 200, 'application/json', JSON.stringify(sources.health()));
    if (urlPath === '/metrics') return send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', sources.prometheus());
    void (async () => {
      if (urlPath === '/hybrid-kit.js' && script && (await serveFile(req, res, script)) === 'served') return;
      if (dir) {
        const result = await serveStatic(req, res, dir, urlPath);
        if (result === 'served') return;
        if (result === 'forbidden') return send(res, 403, 'application/json', '{"code":"BAD_REQUEST","message":"path not allowed"}');
      }
      if (urlPath === '/' && !next) return send(res, 200, 'text/plain; charset=utf-8', BUILT_IN_INDEX);
      notFound(res, next);
    })().catch((err) => (next ? next(err) : send(res, 500, 'text/plain', 'internal error')));
  };
}
