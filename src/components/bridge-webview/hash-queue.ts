/**
 * Replies and pushes waiting to be written into the web-view hash. `nextHash` packs as many as
 * fit in the hash limit (oldest first); the rest wait for the next write. A single reply too
 * large for any hash is answered with PAYLOAD_TOO_LARGE instead, so its caller is not left waiting.
 * A reply for a page of the original helper takes a whole hash of its own (no page fragment, no
 * other entries): that helper reads a hash only when it starts with `#<req>=`.
 */
import { HybridError } from '../../core/errors';
import { HashEntry, PUSH_KEY, PushMessage, encodeHash, encodeHashEntry, errorReply } from '../../core/hash';
import { LIMITS } from '../../core/limits';
import { encodeLegacyHash, legacyReplyValue } from '../../core/legacy-reply';
import { MailItem } from '../../services/reply-mailbox';

/** Room kept for `&v=<nonce>` and the page's own fragment separator. */
const NONCE_ROOM = 32;

export class HashQueue {
  private items: MailItem[] = [];

  get length(): number {
    return this.items.length;
  }

  /**
   * Queues what can be written. An item is encoded once here, so one that never can be (a `req`
   * that is not well-formed Unicode) is refused now, with its error, instead of jamming the queue
   * at every later write. A reply whose data JSON cannot carry is answered with that error.
   */
  add(items: MailItem[]): Array<{ item: MailItem; error: HybridError }> {
    const refused: Array<{ item: MailItem; error: HybridError }> = [];
    for (const item of items) {
      try {
        this.items.push(encodable(item));
      } catch (err) {
        refused.push({ item, error: HybridError.from(err, 'BAD_REQUEST') });
      }
    }
    return refused;
  }

  /** Everything still waiting, removed (the bridge is going away). */
  drain(): MailItem[] {
    return this.items.splice(0, this.items.length);
  }

  /**
   * The hash (without '#') for the next write, or '' when nothing waits. `prefix` is the page's
   * own fragment, kept in front. Dropped pushes (each larger than a whole hash) are returned.
   */
  nextHash(nonce: string, prefix = '', maxHashLength: number = LIMITS.maxHashLength): { hash: string; dropped: PushMessage[] } {
    const first = this.items[0];
    if (first && first.kind === 'reply' && first.legacy) {
      this.items.shift();
      return { hash: encodeLegacyHash(first.req, legacyReplyValue(first.payload), nonce, maxHashLength), dropped: [] };
    }
    const budget = maxHashLength - NONCE_ROOM - (prefix ? prefix.length + 1 : 0);
    const replies: HashEntry[] = [];
    const pushes: PushMessage[] = [];
    const dropped: PushMessage[] = [];
    let used = 0;
    let taken = 0;
    for (const item of this.items) {
      if (item.kind === 'reply' && item.legacy) break; // it gets the next hash to itself
      const cost = this.costOf(item, pushes.length === 0);
      if (used + cost <= budget) {
        used += cost;
        if (item.kind === 'reply') replies.push({ key: item.req, value: item.payload });
        else pushes.push(item.push);
        taken++;
        continue;
      }
      if (taken > 0) break; // the rest waits for the next write
      // The oldest item alone does not fit: answer or drop it rather than block the queue.
      if (item.kind === 'reply') {
        const tooLarge = new HybridError('PAYLOAD_TOO_LARGE', `the reply is ${cost} characters once encoded; the hash limit is ${budget}`);
        replies.push({ key: item.req, value: errorReply(tooLarge) });
      } else dropped.push(item.push);
      taken++;
      break;
    }
    this.items.splice(0, taken);
    if (pushes.length) replies.push({ key: PUSH_KEY, value: pushes });
    if (!replies.length) return { hash: '', dropped };
    const ours = encodeHash(replies, nonce, Infinity);
    return { hash: prefix ? prefix + '&' + ours : ours, dropped };
  }

  private costOf(item: MailItem, firstPush: boolean): number {
    if (item.kind === 'reply') return encodeHashEntry(item.req, item.payload).length + 1;
    // A push joins the list under PUSH_KEY: its JSON plus a comma, encoded.
    const encoded = encodeURIComponent(JSON.stringify(item.push)).length + 3;
    return encoded + (firstPush ? PUSH_KEY.length + 8 : 0);
  }
}

/** The item, or an error reply in its place when only its data cannot be encoded; throws when its key cannot. */
function encodable(item: MailItem): MailItem {
  if (item.kind === 'push') {
    encodeURIComponent(JSON.stringify(item.push));
    return item;
  }
  encodeURIComponent(item.req); // a lone surrogate throws URIError: the reply cannot be addressed
  try {
    if (item.legacy) encodeLegacyHash(item.req, legacyReplyValue(item.payload), '', Infinity);
    else encodeHashEntry(item.req, item.payload);
    return item;
  } catch (err) {
    return { ...item, payload: errorReply(HybridError.from(err, 'HANDLER_ERROR')) };
  }
}
