/**
 * createBridge: the H5 side of the bridge.
 *
 * Navigate channel: `call` opens the mini program's call page with `wx.miniProgram.navigateTo`
 * (one navigation at a time, the rest queued), the reply comes back in the URL hash, read on
 * start, `hashchange`, `pageshow`, `visibilitychange` and `popstate`, then removed from the URL.
 * Sent calls are kept in sessionStorage so a reply that arrives after a reload still lands
 * (as a `recovered` reply, the promise of the old page being gone). Every call has a timeout.
 * With a socket transport given and open, calls go over the socket instead (no page flicker).
 */
import { HybridError } from '../core/errors';
import { ListenerMap, addListener, emitTo } from '../core/emitter';
import { createId } from '../core/bytes';
import { ReplyPayload } from '../core/hash';
import { buildCallUrl } from '../core/navigate';
import { AnyApis, ApiName, ApiParams, ApiResult, POSTED_CMD_KEY, POSTED_DATA_KEY } from '../core/registry';
import { detectEnv, findMiniProgram } from './env';
import { HashContent, readHash } from './hash-reader';
import { StoredCall, createCallStore } from './store';
import { CallOptions, CallTransport, Env, MiniProgramApi, RecoveredReply } from './types';

export const DEFAULT_CALL_PAGE = '/miniprogram_npm/miniprogram-hybrid-kit/pages/hybrid-call/index';

export interface BridgeOptions {
  /** The call page path in the mini program (app.json). */
  callPage?: string;
  /** @deprecated renamed to `callPage` ("relay" now names only the relay server). */
  relayPage?: string;
  /** The JS-SDK's `wx.miniProgram`; default `window.wx.miniProgram`. */
  miniProgram?: MiniProgramApi;
  /** Default call timeout in ms (10 s). */
  timeout?: number;
  /** How long `env()` waits for `getEnv` (1.5 s). */
  envTimeout?: number;
  /** Longest encoded `cmd` (LIMITS.maxCmdLength). */
  maxCmdLength?: number;
  /** sessionStorage key for pending calls. */
  storageKey?: string;
  /** Optional second channel (createSocketCallTransport). */
  socket?: CallTransport;
  window?: Window;
}

export interface Bridge<M extends object = AnyApis> {
  call<K extends ApiName<M>>(api: K, params?: ApiParams<M, K>, options?: CallOptions): Promise<ApiResult<M, K>>;
  /** Listens to pushes from the mini program (`bridge-webview.push(event, data)`). */
  on(event: string, fn: (data: unknown) => void): () => void;
  /** Replies to calls made before a reload of this page. Register right after createBridge. */
  onRecovered(fn: (reply: RecoveredReply) => void): () => void;
  /**
   * Adds `data` to the postMessage batch. WeChat delivers the batch to `bindmessage` only when
   * the user goes back, shares, copies the link or the web-view is destroyed — not in real time.
   */
  post(data: unknown): void;
  /** Fire-and-forget call carried by the postMessage batch (same timing as `post`). */
  postCall<K extends ApiName<M>>(api: K, params?: ApiParams<M, K>): void;
  env(): Promise<Env>;
  /** Calls waiting for an answer, this page load and earlier ones. */
  pending(): StoredCall[];
  /** Reads the URL for replies now (the listeners do it on their own). */
  check(): void;
  /** Rejects every waiting call with CANCELLED and removes the listeners. */
  destroy(): void;
}

const RECOVERED = 0;

interface Waiter {
  url?: string;
  resolve(value: unknown): void;
  reject(err: HybridError): void;
  timer: ReturnType<typeof setTimeout>;
}

export function createBridge<M extends object = AnyApis>(options: BridgeOptions = {}): Bridge<M> {
  const win = options.window || window;
  const callPage = options.callPage || options.relayPage || DEFAULT_CALL_PAGE;
  const defaultTimeout = options.timeout ?? 10_000;
  const doc = createId('d');
  const store = createCallStore(win, options.storageKey || 'hk:bridge');
  // Pushes by event name; recovered replies under a key no push can have (a push event is a string).
  const subscribers: ListenerMap = new Map();
  const waiters = new Map<string, Waiter>();
  const queue: string[] = [];
  let inFlight: string | null = null;
  /**
   * A navigateTo was made and neither its callback nor the page hiding has shown it happened: the
   * JS-SDK may still hold it (WeixinJSBridge not ready), so no other may follow, even if its call
   * timed out, or call pages would stack when the held ones fire together.
   */
  let navigating = false;
  let envPromise: Promise<Env> | null = null;
  let destroyed = false;
  const miniProgram = () => options.miniProgram || findMiniProgram(win);
  // Every timer of this bridge, so destroy() stops them all (clearing one that already fired is harmless).
  const timers: Array<ReturnType<typeof setTimeout>> = [];
  const later = (fn: () => void, ms: number) => {
    const t = setTimeout(fn, ms);
    timers.push(t);
    return t;
  };

  const env = () => envPromise || (envPromise = detectEnv(win, miniProgram(), options.envTimeout ?? 1500, later));

  function forget(req: string): void {
    store.update((calls) => calls.filter((c) => c.req !== req));
    const q = queue.indexOf(req);
    if (q >= 0) queue.splice(q, 1);
    if (inFlight === req) {
      inFlight = null;
      pump();
    }
  }

  function settle(req: string, payload: ReplyPayload): void {
    const waiter = waiters.get(req);
    if (waiter) {
      waiters.delete(req);
      clearTimeout(waiter.timer);
      if (payload.ok) waiter.resolve(payload.data);
      else waiter.reject(new HybridError(payload.error.code, payload.error.message));
      forget(req);
      return;
    }
    const stored = store.calls().find((c) => c.req === req);
    if (stored) recover(stored, payload); // else: answered already, or not ours
  }

  /** Answers a call made by an earlier load of the page. */
  function recover(call: StoredCall, payload: ReplyPayload): void {
    forget(call.req);
    emitTo(subscribers, RECOVERED, Object.assign({ req: call.req, api: call.api }, payload) as RecoveredReply);
  }

  /** Sends the next queued call when no call page navigation is in flight. */
  function pump(): void {
    // Hidden: a call page (perhaps of a call we gave up on) still covers us; go on when shown.
    if (inFlight || navigating || destroyed || win.document.visibilityState === 'hidden') return;
    // A call sent by an earlier load of the page may still be on its way back: wait for it.
    const now = Date.now();
    const earlier = store.calls().find((c) => c.doc !== doc && c.sent && c.deadline > now);
    if (earlier) {
      inFlight = earlier.req;
      return;
    }
    const req = queue.shift();
    const waiter = req ? waiters.get(req) : undefined;
    if (!req || !waiter || !waiter.url) return;
    inFlight = req;
    store.update((calls) => calls.map((c) => (c.req === req ? Object.assign({}, c, { sent: true }) : c)));
    const mp = miniProgram();
    // settle() pumps the next call.
    const failed = (message: string) => {
      navigating = false;
      settle(req, failure('CANCELLED', 'navigateTo failed: ' + message));
    };
    navigating = true;
    try {
      mp!.navigateTo({
        url: waiter.url,
        success: () => {
          navigating = false;
          pump();
        },
        fail: (err) => failed((err && err.errMsg) || ''),
      });
    } catch (err) {
      failed((err as Error).message);
    }
  }

  function callNavigate(req: string, api: string, params: unknown, timeout: number, waiter: Waiter): void {
    waiter.url = buildCallUrl(callPage, { req, api, params }, options.maxCmdLength); // undefined: the default
    env().then((where) => {
      if (!waiters.has(req)) return; // timed out meanwhile
      if (where !== 'miniprogram' || !miniProgram()) {
        settle(req, failure('NOT_IN_MINIPROGRAM', 'not in a mini program web-view: ' + where));
        return;
      }
      store.update((calls) => calls.concat({ req, api, deadline: Date.now() + timeout, sent: false, doc }));
      queue.push(req);
      pump();
    });
  }

  function call(api: string, params?: unknown, callOptions: CallOptions = {}): Promise<unknown> {
    const timeout = callOptions.timeout ?? defaultTimeout;
    const mode = callOptions.transport || 'auto';
    const socket = options.socket;
    if (destroyed) return Promise.reject(new HybridError('CANCELLED', 'the bridge was destroyed'));
    if (mode === 'socket' || (mode === 'auto' && socket && socket.isOpen())) {
      if (!socket) return Promise.reject(new HybridError('OFFLINE', 'no socket transport is configured'));
      return socket.call(api, params, timeout);
    }
    const req = createId('hk');
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: later(() => {
          waiters.delete(req);
          forget(req);
          reject(new HybridError('TIMEOUT', `no reply to "${api}" in ${timeout} ms`));
        }, timeout),
      };
      waiters.set(req, waiter);
      try {
        callNavigate(req, api, params, timeout, waiter);
      } catch (err) {
        waiters.delete(req);
        clearTimeout(waiter.timer);
        reject(HybridError.from(err, 'BAD_REQUEST'));
      }
    });
  }

  /** Reads replies and pushes from `url`; strips them from the address bar when it is the current URL. */
  function scan(url: string): void {
    if (destroyed) return;
    const current = win.location.href;
    // A hashchange's newURL may already be gone from the address bar: read both, each once.
    if (url !== current) take(readHash(url));
    const clean = take(readHash(current));
    if (clean !== current) {
      try {
        win.history.replaceState(win.history.state, '', clean);
      } catch {
        // sandboxed documents may refuse; the reply was still read
      }
    }
  }

  /** Settles the replies and emits the new pushes of `content`; returns the URL without them. */
  function take(content: HashContent): string {
    for (const r of content.replies) settle(r.req, r.payload);
    for (const p of store.unseen(content.pushes)) emitTo(subscribers, p.event, p.data);
    return content.clean;
  }

  /** Calls left by an earlier load of the page: unsent ones are lost, sent ones wait until their deadline. */
  function recoverEarlierCalls(): void {
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

  const offSocketPush = options.socket && options.socket.onPush ? options.socket.onPush((event, data) => emitTo(subscribers, event, data)) : undefined;
  const rescan = () => scan(win.location.href);
  const listeners: Array<[EventTarget, string, (e: Event) => void]> = [
    [win, 'hashchange', (e) => scan((e as HashChangeEvent).newURL || win.location.href)],
    [win, 'pageshow', rescan],
    [win, 'popstate', rescan],
    [win.document, 'visibilitychange', () => {
      // Hidden: the call page is up, so the navigateTo happened.
      if (win.document.visibilityState === 'hidden') navigating = false;
      rescan();
      pump();
    }],
  ];
  for (const [target, type, fn] of listeners) target.addEventListener(type, fn);
  // Next tick: the app registers its `on`/`onRecovered` listeners right after createBridge.
  later(() => {
    rescan();
    recoverEarlierCalls();
    pump();
  }, 0);

  /** Adds one item to the postMessage batch. */
  function postItem(item: Record<string, unknown>): void {
    const mp = miniProgram();
    if (!mp) throw new HybridError('NOT_IN_MINIPROGRAM', 'wx.miniProgram is not available');
    mp.postMessage({ data: item });
  }

  return {
    call: call as Bridge<M>['call'],
    on: (event, fn) => addListener(subscribers, event, fn),
    onRecovered: (fn) => addListener(subscribers, RECOVERED, fn),
    post: (data) => postItem({ [POSTED_DATA_KEY]: createId('m'), data }),
    postCall: (api, params) => postItem({ [POSTED_CMD_KEY]: { v: 1, req: createId('pc'), api, params } }),
    env,
    pending: () => store.calls(),
    check: rescan,
    destroy() {
      if (destroyed) return;
      destroyed = true;
      timers.forEach(clearTimeout);
      for (const [target, type, fn] of listeners) target.removeEventListener(type, fn);
      for (const [req, w] of Array.from(waiters)) {
        waiters.delete(req);
        forget(req);
        w.reject(new HybridError('CANCELLED', 'the bridge was destroyed'));
      }
      if (offSocketPush) offSocketPush();
      if (options.socket && options.socket.close) options.socket.close();
    },
  };
}

function failure(code: HybridError['code'], message: string): ReplyPayload {
  return { ok: false, error: { code, message } };
}
