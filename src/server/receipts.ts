/**
 * Receipts for reliable messages. A receiver confirms cumulatively (`lastSeq` in resume or ping);
 * the hub hands over the origins (sender env, message id) of the frames that confirmation covers,
 * and this turns them into ONE `delivered` notice per sender env, routed to it like any frame
 * (stamped and backlogged, so a sender that is away gets it when it comes back). Frames a backlog
 * had to let go unconfirmed (overflow, expiry) become an `error` frame per message for its sender
 * (code QUEUE_FULL or TIMEOUT, with the id), so nothing accepted disappears without a report.
 */
import type { HybridError } from '../core/errors';
import type { ErrorCode } from '../core/errors';
import type { Origin } from './backlog';
import type { RelayMetricsSink } from './metrics';

/** How a receipt frame is sent: hub.forward with a tail (frame JSON without its opening brace). */
export type ReceiptForward = (key: string, from: string, to: string, tail: string, done: (err: HybridError | null) => void) => void;

export type LossReason = 'items' | 'expired';

const IGNORE = () => undefined;
export const IDS_PER_NOTICE = 256;

export class Receipts {
  constructor(private readonly forward: ReceiptForward, private readonly metrics: Pick<RelayMetricsSink, 'delivered' | 'trimmed' | 'dropped'>) {}

  /** `receiver` of `key` confirmed frames with these origins. */
  delivered(key: string, receiver: string, origins: Origin[]): void {
    if (!origins.length) return;
    this.metrics.delivered(origins.length);
    const bySender = groupBySender(origins);
    const from = JSON.stringify(receiver);
    for (const [sender, ids] of bySender) {
      // Chunks keep a notice far below any frame limit (ids are at most 64 characters).
      for (let i = 0; i < ids.length; i += IDS_PER_NOTICE) {
        const chunk = i === 0 && ids.length <= IDS_PER_NOTICE ? ids : ids.slice(i, i + IDS_PER_NOTICE);
        this.forward(key, receiver, sender, `"from":${from},"type":"delivered","ids":${JSON.stringify(chunk)}}`, IGNORE);
      }
    }
  }

  /** Confirmations whose notices a hub sent itself (Redis: atomically with the trim). */
  counted(confirmed: number): void {
    if (confirmed) this.metrics.delivered(confirmed);
  }

  /** `count` frames for `target` left its backlog unconfirmed; the reliable ones are reported to their senders. */
  lost(key: string, target: string, count: number, origins: Origin[], reason: LossReason): void {
    if (!count) return;
    this.metrics.trimmed(reason, count);
    if (reason === 'items') this.metrics.dropped('backlog_overflow', count);
    const code: ErrorCode = reason === 'items' ? 'QUEUE_FULL' : 'TIMEOUT';
    const message = JSON.stringify(reason === 'items' ? `the backlog of "${target}" was full: not delivered` : `"${target}" did not take it within the backlog time: not delivered`);
    const from = JSON.stringify(target);
    for (const [sender, id] of origins) {
      this.forward(key, target, sender, `"from":${from},"type":"error","code":"${code}","message":${message},"id":${JSON.stringify(id)}}`, IGNORE);
    }
  }
}

function groupBySender(origins: Origin[]): Map<string, string[]> | Array<[string, string[]]> {
  // Most confirmations cover the messages of one sender: no Map for them.
  const first = origins[0][0];
  let i = 1;
  while (i < origins.length && origins[i][0] === first) i++;
  if (i === origins.length) return [[first, origins.map((o) => o[1])]];
  const out = new Map<string, string[]>();
  for (const [sender, id] of origins) {
    const ids = out.get(sender);
    if (ids) ids.push(id);
    else out.set(sender, [id]);
  }
  return out;
}
