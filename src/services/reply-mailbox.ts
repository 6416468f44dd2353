/**
 * Where replies and pushes for the H5 page wait for a bridge-webview to write them into its hash.
 * The call page (or app code) delivers here; each bridge-webview attaches as a sink. A target
 * picks the sink: by `webviewId`, else by the page the sink lives on; only a target naming
 * neither goes to the newest sink. Items with no matching sink yet are kept (bounded, with a TTL)
 * and handed to the next matching sink, so a reply made while no bridge is attached is not lost,
 * and never to a bridge of another page or web-view (another H5 page, maybe another origin).
 */
import { BoundedQueue } from '../core/queue';
import { createId } from '../core/bytes';
import { checkName, stringifyJson } from '../core/json';
import { PushMessage, ReplyPayload } from '../core/hash';

export type MailItem =
  /** `legacy`: the call came from a page of the original helper; written alone, as a bare value (core/legacy-reply). */
  | { kind: 'reply'; req: string; payload: ReplyPayload; legacy?: boolean }
  | { kind: 'push'; push: PushMessage };

export interface DeliveryTarget {
  /** The page object the bridge-webview lives on (the call page's opener). */
  page?: unknown;
  webviewId?: string;
}

export interface ReplySink {
  readonly webviewId: string;
  readonly page: unknown;
  receive(items: MailItem[]): void;
}

interface Unclaimed {
  target: DeliveryTarget;
  item: MailItem;
}

/** How long an item waits for a sink, and how many may wait. */
export const UNCLAIMED_TTL_MS = 60_000;
const unclaimed = new BoundedQueue<Unclaimed>({ maxItems: 200, overflow: 'drop-oldest' });
const sinks: ReplySink[] = [];

function matches(sink: ReplySink, target: DeliveryTarget): boolean {
  if (target.webviewId) return sink.webviewId === target.webviewId;
  if (target.page !== undefined) return sink.page === target.page;
  return true;
}

function findSink(target: DeliveryTarget): ReplySink | undefined {
  for (let i = sinks.length - 1; i >= 0; i--) if (matches(sinks[i], target)) return sinks[i];
  return undefined;
}

function deliver(item: MailItem, target: DeliveryTarget): boolean {
  const sink = findSink(target);
  if (sink) {
    sink.receive([item]);
    return true;
  }
  unclaimed.push({ target, item }, { ttl: UNCLAIMED_TTL_MS });
  return false;
}

/** Attaches a bridge-webview; it receives the waiting items meant for it. Returns the detach function. */
export function attachSink(sink: ReplySink): () => void {
  sinks.push(sink);
  const waiting = unclaimed.removeWhere((u) => matches(sink, u.target));
  if (waiting.length) sink.receive(waiting.map((u) => u.item));
  return () => {
    const i = sinks.indexOf(sink);
    if (i >= 0) sinks.splice(i, 1);
  };
}

/** Gives items back (a bridge detached before writing them); they wait for the next sink. */
export function returnUndelivered(items: MailItem[], target: DeliveryTarget): void {
  for (const item of items) deliver(item, target);
}

/**
 * Hands a reply for request `req` to the bridge-webview of `target`. True when a bridge took it now.
 * `legacy`: answer in the original helper's shape (`#<req>=<value>&v=<nonce>`, the hash to itself).
 */
export function deliverReply(req: string, payload: ReplyPayload, target: DeliveryTarget = {}, legacy = false): boolean {
  checkName(req, 'req');
  return deliver(legacy ? { kind: 'reply', req, payload, legacy } : { kind: 'reply', req, payload }, target);
}

/** Pushes an event to the H5 page of `target` (its `bridge.on(event)` listeners). Returns the push id. */
export function pushToWebview(event: string, data?: unknown, target: DeliveryTarget = {}): string {
  const push = makePush(event, data);
  deliver({ kind: 'push', push }, target);
  return push.id;
}

/** A checked push message: BAD_REQUEST now for a bad name or data, not a broken hash later. */
export function makePush(event: string, data?: unknown): PushMessage {
  checkName(event, 'event');
  const push: PushMessage = { id: createId('p'), event };
  if (data !== undefined) {
    stringifyJson(data, `data of push "${event}"`);
    push.data = data;
  }
  return push;
}

/** For tests and diagnostics. */
export function mailboxStats(): { sinks: number; unclaimed: number } {
  return { sinks: sinks.length, unclaimed: unclaimed.length };
}
