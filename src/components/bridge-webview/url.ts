/**
 * The web-view URL: the user's `src` with `query` merged in and a cache-busting `_t`, both
 * before the '#'. The caller keeps `_t` for the life of a `src` so the part before '#' never
 * changes (a changed query reloads the H5 page and pushes history).
 */
import { splitHash } from '../../core/hash';

export type QueryValue = string | number | boolean | null | undefined;
export const CACHE_BUST_KEY = '_t';

function keyOf(pair: string): string {
  const eq = pair.indexOf('=');
  const raw = eq < 0 ? pair : pair.slice(0, eq);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** `src` + `query` (+ `_t` when given). Query values replace same-named ones already in `src`. */
export function buildWebviewUrl(src: string, query: Record<string, QueryValue> = {}, cacheBust?: string): string {
  const { base, hash } = splitHash(src.trim());
  const q = base.indexOf('?');
  const path = q < 0 ? base : base.slice(0, q);
  const own = q < 0 ? [] : base.slice(q + 1).split('&').filter((p) => p !== '');
  const added: string[] = [];
  const overridden = new Set<string>();
  for (const key of Object.keys(query)) {
    const value = query[key];
    if (value === null || value === undefined) continue;
    overridden.add(key);
    added.push(encodeURIComponent(key) + '=' + encodeURIComponent(String(value)));
  }
  if (cacheBust !== undefined) {
    overridden.add(CACHE_BUST_KEY);
    added.push(CACHE_BUST_KEY + '=' + encodeURIComponent(cacheBust));
  }
  const pairs = own.filter((p) => !overridden.has(keyOf(p))).concat(added);
  return path + (pairs.length ? '?' + pairs.join('&') : '') + (hash ? '#' + hash : '');
}
