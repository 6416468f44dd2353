/**
 * Static files through sirv (an optional peer, loaded only when they are served): the demo page
 * directory (only with `demo`) and the H5 SDK script at /hybrid-kit.js. sirv gives ETag/304,
 * Cache-Control, the full MIME table, Range, and precompressed `.br`/`.gz` siblings (the build
 * writes them for the SDK scripts) to clients that accept them. In front of sirv, a path that
 * leaves the directory (`..`, encoded or not, backslashes, NUL, a symlink pointing out) gets 403.
 */
import { existsSync, realpathSync } from 'fs';
import type { IncomingMessage, ServerResponse } from 'http';
import * as path from 'path';
import type Sirv = require('sirv');
import { requirePeer } from './peer';

/** The package root (dist/node/server → ../../..). */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..', '..');
export const DEFAULT_STATIC_DIR = path.join(PACKAGE_ROOT, 'tools', 'demo-h5');
export const DEFAULT_H5_SCRIPT = path.join(PACKAGE_ROOT, 'dist', 'h5', 'hybrid-kit.min.js');

/** How long browsers may keep /hybrid-kit.js before revalidating (its URL carries no version). */
export const SCRIPT_MAX_AGE_SECONDS = 3600;

export type StaticResult = 'served' | 'missing' | 'forbidden';
type Serve = (req: IncomingMessage, res: ServerResponse) => Promise<StaticResult>;

/**
 * Maps a URL path into `root`. Returns null when the path is malformed or leaves the root
 * (`..`, encoded `%2e%2e`, backslashes, NUL), so traversal is refused before touching the disk.
 */
export function resolveInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.indexOf('\0') >= 0 || decoded.indexOf('\\') >= 0) return null;
  const base = path.resolve(root);
  const target = path.resolve(base, '.' + path.posix.normalize('/' + decoded));
  const inside = target === base || target.startsWith(base + path.sep);
  if (!inside || decoded.split('/').indexOf('..') >= 0) return null;
  return target;
}

/** True when `file` exists and its real path (symlinks followed) is outside the real `root`. */
function leavesRoot(root: string, file: string): boolean {
  if (!existsSync(file)) return false;
  const realRoot = realpathSync(root);
  const real = realpathSync(file);
  return real !== realRoot && !real.startsWith(realRoot + path.sep);
}

/** Runs a sirv handler; resolves 'missing' when sirv calls next (no such file). */
function runSirv(handler: Sirv.RequestHandler, req: IncomingMessage, res: ServerResponse): Promise<StaticResult> {
  return new Promise((resolve) => {
    res.once('close', () => resolve('served')); // also when the client went away mid-file
    handler(req, res, () => resolve('missing'));
  });
}

const loadSirv = (feature: string) => requirePeer<typeof Sirv>('sirv', feature);


/** Serves the files of `root` (index.html for a directory), revalidated on every load (ETag → 304). */
export function directoryServer(root: string): Serve {
  const handler = loadSirv('the demo page (demo)')(root, { dev: false, etag: true, maxAge: 0, gzip: true, brotli: true, dotfiles: false });
  return (req, res) => {
    const urlPath = (req.url || '/').split('?')[0];
    const file = resolveInside(root, urlPath);
    if (!file || leavesRoot(root, file)) return Promise.resolve('forbidden');
    return runSirv(handler, req, res);
  };
}

/** Serves one file at whatever path it is mounted on (the SDK at /hybrid-kit.js). */
export function fileServer(file: string): Serve {
  const dir = path.dirname(file);
  const handler = loadSirv('/hybrid-kit.js (h5Script)')(dir, { dev: false, etag: true, maxAge: SCRIPT_MAX_AGE_SECONDS, gzip: true, brotli: true });
  const name = '/' + path.basename(file);
  return async (req, res) => {
    const original = req.url;
    req.url = name;
    try {
      return await runSirv(handler, req, res);
    } finally {
      req.url = original;
    }
  };
}
