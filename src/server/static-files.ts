/** Static files for the demo page: one directory, no listing, no way out of it. */
import { createReadStream, promises as fs } from 'fs';
import type { IncomingMessage, ServerResponse } from 'http';
import * as path from 'path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** The package root (dist/node/server → ../../..). */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..', '..');
export const DEFAULT_STATIC_DIR = path.join(PACKAGE_ROOT, 'tools', 'demo-h5');
export const DEFAULT_H5_SCRIPT = path.join(PACKAGE_ROOT, 'dist', 'h5', 'hybrid-kit.min.js');

export type StaticResult = 'served' | 'missing' | 'forbidden';

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

export async function serveFile(req: IncomingMessage, res: ServerResponse, file: string, root?: string): Promise<StaticResult> {
  let real: string;
  try {
    real = await fs.realpath(file);
    // A symlink inside the root must not lead outside it.
    if (root) {
      const realRoot = await fs.realpath(root);
      if (real !== realRoot && !real.startsWith(realRoot + path.sep)) return 'forbidden';
    }
    let stat = await fs.stat(real);
    if (stat.isDirectory()) {
      real = path.join(real, 'index.html');
      stat = await fs.stat(real);
    }
    if (!stat.isFile()) return 'missing';
    res.writeHead(200, {
      'Content-Type': TYPES[path.extname(real).toLowerCase()] || 'application/octet-stream',
      'Content-Length': stat.size,
      'X-Content-Type-Options': 'nosniff',
    });
  } catch {
    return 'missing';
  }
  if (req.method === 'HEAD') res.end();
  else createReadStream(real).pipe(res);
  return 'served';
}

export async function serveStatic(req: IncomingMessage, res: ServerResponse, root: string, urlPath: string): Promise<StaticResult> {
  const file = resolveInside(root, urlPath);
  if (!file) return 'forbidden';
  return serveFile(req, res, file, root);
}
