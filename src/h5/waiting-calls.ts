/**
 * The calls of the navigate channel waiting for their reply: each has a timeout and an entry in
 * the store (src/h5/store.ts). A reply settles its promise; a reply to a call made by an earlier
 * load of the page (the web-view may reload on a `src` change) goes to `onRecovered` instead.
 */
import { HybridError } from '../core/errors';
import { ReplyPayload } from '../core/hash';
import { CallStore, StoredCall } from './store';
import { RecoveredReply } from './types';

type Later = (fn: () => void, ms: number) => ReturnType<typeof setTimeout>;

export interface WaitingCalls {
  /** The reply to `req`; rejects with TIMEOUT after `timeout` ms. */
  wait(req: string, api: string, timeout: number): Promise<unknown>;
  has(req: string): boolean;
  /** Settles call `req` (of this page load, or an earlier one) with `payload`. */
  settle(req: string, payload: ReplyPayload): void;
  /** Calls left by an earlier load of the page: unsent ones are lost, sent ones wait until their deadline. */
  recover(): void;
  /** Rejects every waiting call with CANCELLED. */
  cancel(message: string): void;
}

export function failure(code: HybridError['code'], message: string): ReplyPayload {
  return { ok: false, error: { code, message } };
}

/**
 * `done(req)`: call `req` is over (the navigation queue lets it go); `recovered(reply)`: the
 * answer to a call of an earlier page load.
 */
export function createWaitingCalls(store: CallStore, doc: string, later: Later, done: (req: string) => void, recovered: (reply: RecoveredReply) => void): WaitingCalls {
  // Each waiting call's answer: settles its promise, stops its timeout.
  const waiters = new Map<string, (payload: ReplyPayload) => void>();

  function forget(req: string): void {
    waiters.delete(req);
    store.update((calls) => calls.filter((c) => c.req !== req));
    done(req);
  }

  function settle(req: string, payload: ReplyPayload): void {
    const answer = waiters.get(req);
    if (answer) {
      forget(req);
      return answer(payload);
    }
    const stored = store.calls().find((c) => c.req === req);
    if (stored) recover(stored, payload); // else: answered already, or not ours
  }

  /** Answers a call made by an earlier load of the page. */
  function recover(call: StoredCall, payload: ReplyPayload): void {
    forget(call.req);
    recovered(Object.assign({ req: call.req, api: call.api }, payload) as RecoveredReply);
  }

  return {
    wait: (req, api, timeout) =>
      new Promise((resolve, reject) => {
        const timer = later(() => settle(req, failure('TIMEOUT', `no reply to "${api}" in ${timeout} ms`)), timeout);
        waiters.set(req, (payload) => {
          clearTimeout(timer);
          if (payload.ok) resolve(payload.data);
          else reject(new HybridError(payload.error.code, payload.error.message));
        });
      }),
    has: (req) => waiters.has(req),
    settle,
    recover: () => recoverEarlierCalls(store, doc, later, recover),
    cancel(message) {
      waiters.forEach((w, req) => settle(req, failure('CANCELLED', message)));
    },
  };
}

function recoverEarlierCalls(store: CallStore, doc: string, later: Later, recover: (call: StoredCall, payload: ReplyPayload) => void): void {
  const now = Date.now();
  for (const c of store.calls()) {
    if (c.doc === doc) continue;
    if (!c.sent) recover(c, failure('CANCELLED', 'reloaded before sending'));
    else {
      later(() => {
        if (store.calls().some((s) => s.req === c.req)) recover(c, failure('TIMEOUT', 'no reply in time'));
      }, Math.max(0, c.deadline - now));
    }
  }
}
