/**
 * Reads replies and pushes the mini program wrote into the URL hash, and the URL without them,
 * in one decode of the hash. The bridge strips them from the current URL (history.replaceState)
 * so they do not leak into shares, copies or a reload. The page's own hash pairs stay; a hash
 * the page wrote itself is never mistaken for a reply.
 */
import { NONCE_KEY, PUSH_KEY, PushMessage, ReplyPayload, decodeHash, isReplyPayload, splitHash } from '../core/hash';

export interface HashContent {
  replies: Array<{ req: string; payload: ReplyPayload }>;
  pushes: PushMessage[];
  /** The URL without our pairs (replies, pushes and the nonce that came with them). */
  clean: string;
}

function isPush(value: unknown): value is PushMessage {
  const p = value as PushMessage;
  return typeof p === 'object' && p !== null && typeof p.id === 'string' && typeof p.event === 'string';
}

export function readHash(url: string): HashContent {
  const { base, hash } = splitHash(url);
  const out: HashContent = { replies: [], pushes: [], clean: url };
  // Keys as they are written in the hash: our writer encodes them with encodeURIComponent.
  const ours = new Set([NONCE_KEY]);
  for (const { key, value } of decodeHash(hash).entries) {
    if (key === PUSH_KEY) {
      if (Array.isArray(value)) out.pushes.push(...value.filter(isPush));
    } else if (isReplyPayload(value)) out.replies.push({ req: key, payload: value });
    else continue;
    ours.add(encodeURIComponent(key));
  }
  if (ours.size > 1) {
    const kept = hash.split('&').filter((pair) => !ours.has(pair.slice(0, pair.indexOf('='))));
    out.clean = base + (kept.length ? '#' + kept.join('&') : '');
  }
  return out;
}
