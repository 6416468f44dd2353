/**
 * The navigate channel as a CallTransport: `call` opens the mini program's call page with
 * `wx.miniProgram.navigateTo` (src/h5/navigation.ts: one at a time), the reply comes back in the
 * URL hash (src/h5/hash-watch.ts). Sent calls are kept in sessionStorage so a reply that arrives
 * after a reload still lands (as a `recovered` reply, the promise of the old page being gone).
 * Every call has a timeout. It is always "open": outside a mini program its calls reject with
 * NOT_IN_MINIPROGRAM, so it closes the bridge's list as the fallback.
 */
import { HybridError } from '../core/errors';
import { ListenerMap, Unsubscribe, addListener, emitTo } from '../core/emitter';
import { createId } from '../core/bytes';
import { buildCallUrl } from '../core/navigate';
import { detectEnv } from './env';
import { HashContent } from './hash-reader';
import { watchHash } from './hash-watch';
import { createNavigation } from './navigation';
import { StoredCall, createCallStore } from './store';
import { createWaitingCalls, failure } from './waiting-calls';
import { CallTransport, Env, MiniProgramApi, RecoveredReply } from './types';

/** The navigate channel's options of createBridge. */
export interface NavigateOptions {
  /** The call page path in the mini program (app.json). */
  callPage?: string;
  /** @deprecated renamed to `callPage` ("relay" now names only the relay server). */
  relayPage?: string;
  /** How long `env()` waits for `getEnv` (1.5 s). */
  envTimeout?: number;
  /** Longest encoded `cmd` (LIMITS.maxCmdLength). */
  maxCmdLength?: number;
  /** sessionStorage key for pending calls. */
  storageKey?: string;
}

export const DEFAULT_CALL_PAGE = '/miniprogram_npm/miniprogram-hybrid-kit/pages/hybrid-call/index';

export interface NavigateTransport extends CallTransport {
  env(): Promise<Env>;
  pending(): StoredCall[];
  check(): void;
  onRecovered(fn: (reply: RecoveredReply) => void): Unsubscribe;
}

export const DESTROYED = 'the bridge was destroyed';

/** `miniProgram()`: the JS-SDK's `wx.miniProgram`, looked up at each use. */
export function createNavigateTransport(win: Window, miniProgram: () => MiniProgramApi | undefined, options: NavigateOptions): NavigateTransport {
  const callPage = options.callPage || options.relayPage || DEFAULT_CALL_PAGE;
  const doc = createId('d');
  const store = createCallStore(win, options.storageKey || 'hk:bridge');
  // Pushes from the hash (key 0) and recovered replies (key 1), each to their own listeners.
  const listeners: ListenerMap<number> = new Map();
  // Every timer of the transport, so close() stops them all (clearing one that already fired is harmless).
  const timers: Array<ReturnType<typeof setTimeout>> = [];
  const later = (fn: () => void, ms: number) => {
    const t = setTimeout(fn, ms);
    timers.push(t);
    return t;
  };
  const navigation = createNavigation(win, store, doc, miniProgram, (req, message) => calls.settle(req, failure('CANCELLED', message)));
  const calls = createWaitingCalls(store, doc, later, navigation.done, (reply) => emitTo(listeners, 1, reply));
  let envPromise: Promise<Env> | undefined;
  const env = () => envPromise || (envPromise = detectEnv(win, miniProgram(), options.envTimeout ?? 1500, later));

  function call(api: string, params: unknown, timeout: number): Promise<unknown> {
    const req = createId('hk');
    let url: string;
    try {
      url = buildCallUrl(callPage, { req, api, params }, options.maxCmdLength); // undefined: the default
    } catch (err) {
      return Promise.reject(HybridError.from(err, 'BAD_REQUEST'));
    }
    const reply = calls.wait(req, api, timeout);
    env().then((where) => {
      if (!calls.has(req)) return; // timed out meanwhile
      if (where !== 'miniprogram' || !miniProgram()) return calls.settle(req, failure('NOT_IN_MINIPROGRAM', 'not in a mini program web-view: ' + where));
      store.update((list) => list.concat({ req, api, deadline: Date.now() + timeout, sent: false, doc }));
      navigation.add(req, url);
    });
    return reply;
  }

  /** Settles the replies and emits the new pushes of `content`; returns the URL without them. */
  function take(content: HashContent): string {
    for (const r of content.replies) calls.settle(r.req, r.payload);
    for (const p of store.unseen(content.pushes)) emitTo(listeners, 0, p);
    return content.clean;
  }

  const hash = watchHash(win, take, navigation.visibility);
  // Next tick: the app registers its `on`/`onRecovered` listeners right after createBridge.
  later(() => {
    hash.check();
    calls.recover();
    navigation.pump();
  }, 0);

  return {
    name: 'navigate',
    isOpen: () => true,
    call,
    onPush: (fn) => addListener(listeners, 0, (p: { event: string; data: unknown }) => fn(p.event, p.data)),
    onRecovered: (fn) => addListener(listeners, 1, fn),
    env,
    pending: store.calls,
    check: hash.check,
    close() {
      timers.forEach(clearTimeout);
      hash.stop();
      navigation.stop();
      calls.cancel(DESTROYED);
    },
  };
}
