/**
 * Reads replies and pushes the mini program wrote into the URL hash, and strips them from the
 * current URL (history.replaceState) so they do not leak into shares, copies or a reload. The
 * page's own hash pairs stay; a hash the page wrote itself is never mistaken for a reply.
 */
import { NONCE_KEY, PUSH_KEY, PushMessage, ReplyPayload, decodeHash, isReplyPayload, splitHash } from '../core/hash';

export interface HashContent {
  replies: Array<{ req: string; payload: ReplyPayload }>;
  pushes: PushMessage[];
}

function isPush(value: unknown): value is PushMessage {
  const p = value as PushMessage;
  return typeof p === 'object' && p !== null && typeof p.id === 'string' && typeof p.event === 'string';
}

export function readHash(url: string): HashContent {
  const out: HashContent = { replies: [], pushes: [] };
  for (const { key, value } of decodeHash(splitHash(url).hash).entries) {
    if (key === PUSH_KEY) {
      if (Array.isArray(value)) out.pushes.push(...value.filter(isPush));
    } else if (isReplyPayload(value)) out.replies.push({ req: key, payload: value });
  }
  return out;
}

/** The URL without our pairs (replies, pushes and the nonce that came with them). */
export function stripOurs(url: string): string {
  const { base, hash } = splitHash(url);
  if (!hash) return url;
  const content = readHash(url);
  if (!content.replies.length && !content.pushes.length) return url;
  const ours = new Set<string>([PUSH_KEY, NONCE_KEY]);
  for (const r of content.replies) ours.add(r.req);
  const kept = hash.split('&').filter((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) return true;
    try {
      return !ours.has(decodeURIComponent(pair.slice(0, eq)));
    } catch {
      return true;
    }
  });
  return base + (kept.length ? '#' + kept.join('&') : '');
}
