import { HybridError } from '../errors';
import { ConnectTarget, isThenable } from './transport';

/** A fixed URL, a fixed target, or a provider called before every attempt (fresh token, headers). */
export type TargetSource = string | ConnectTarget | (() => string | ConnectTarget | PromiseLike<string | ConnectTarget>);

export function normalizeTarget(value: unknown): ConnectTarget {
  const target = typeof value === 'string' ? { url: value } : (value as ConnectTarget);
  if (!target || typeof target.url !== 'string' || !/^wss?:\/\/|^\//.test(target.url)) {
    throw new HybridError('BAD_REQUEST', `socket target needs a ws:// or wss:// url (or a /path for a container); got ${JSON.stringify(value)}`);
  }
  return target;
}

/** Resolves the target synchronously when it can, so a sync transport is created in the caller's tick. */
export function resolveTarget(source: TargetSource): ConnectTarget | PromiseLike<ConnectTarget> {
  const value = typeof source === 'function' ? source() : source;
  return isThenable<string | ConnectTarget>(value) ? value.then(normalizeTarget) : normalizeTarget(value);
}

/**
 * Marks the URL as a client of this protocol: `v=<version>` (unless the URL has a `v` already).
 * The relay answers a connection without it the way the relay it replaces did (no frames of ours).
 */
export function withProtocolVersion(target: ConnectTarget, version: number): ConnectTarget {
  const query = target.url.split('#')[0].split('?')[1];
  if (query !== undefined && query.split('&').some((p) => p === 'v' || p.indexOf('v=') === 0)) return target;
  return { ...target, url: withQuery(target.url, { v: String(version) }) };
}

/** Appends `token` and `env` (docs/protocol.md: `/socket?token=…&env=…`) to a URL. */
export function withQuery(url: string, params: Record<string, string | undefined>): string {
  const [beforeHash, hash] = splitOnce(url, '#');
  const parts: string[] = [];
  for (const key of Object.keys(params)) {
    const value = params[key];
    if (value !== undefined && value !== '') parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
  }
  if (!parts.length) return url;
  const sep = beforeHash.indexOf('?') >= 0 ? (/[?&]$/.test(beforeHash) ? '' : '&') : '?';
  return beforeHash + sep + parts.join('&') + (hash !== undefined ? `#${hash}` : '');
}

function splitOnce(text: string, sep: string): [string, string | undefined] {
  const i = text.indexOf(sep);
  return i < 0 ? [text, undefined] : [text.slice(0, i), text.slice(i + 1)];
}
