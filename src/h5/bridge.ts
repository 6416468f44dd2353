/**
 * createBridge: the H5 side of the bridge. Calls go over one of a list of CallTransports: the
 * ones given (`transports`, then `socket`), and last the navigate channel
 * (src/h5/navigate-transport.ts), which is always there. `transport: 'auto'` takes the first
 * open one; a name takes that transport. Pushes of every transport reach `on`; destroy closes each.
 */
import { HybridError } from '../core/errors';
import { ListenerMap, addListener, emitTo } from '../core/emitter';
import { createId } from '../core/bytes';
import { AnyApis, ApiName, ApiParams, ApiResult, POSTED_CMD_KEY, POSTED_DATA_KEY } from '../core/registry';
import { findMiniProgram } from './env';
import { DEFAULT_CALL_PAGE, DESTROYED, NavigateOptions, createNavigateTransport } from './navigate-transport';
import { StoredCall } from './store';
import { CallOptions, CallTransport, Env, MiniProgramApi, RecoveredReply } from './types';

export { DEFAULT_CALL_PAGE };

export interface BridgeOptions extends NavigateOptions {
  /** The JS-SDK's `wx.miniProgram`; default `window.wx.miniProgram`. */
  miniProgram?: MiniProgramApi;
  /** Default call timeout in ms (10 s). */
  timeout?: number;
  /** Transports tried before the navigate channel, in this order ('auto' takes the first open one). */
  transports?: readonly CallTransport[];
  /** The socket transport (createSocketCallTransport): the same as the last of `transports`. */
  socket?: CallTransport;
  window?: Window;
}

export interface Bridge<M extends object = AnyApis> {
  call<K extends ApiName<M>>(api: K, params?: ApiParams<M, K>, options?: CallOptions): Promise<ApiResult<M, K>>;
  /** Listens to pushes from the mini program (`bridge-webview.push(event, data)`, or a transport's). */
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
  /** Calls of the navigate channel waiting for an answer, this page load and earlier ones. */
  pending(): StoredCall[];
  /** Reads the URL for replies now (the listeners do it on their own). */
  check(): void;
  /** Rejects every waiting call with CANCELLED, removes the listeners, closes every transport. */
  destroy(): void;
}

export function createBridge<M extends object = AnyApis>(options: BridgeOptions = {}): Bridge<M> {
  const win = options.window || window;
  const miniProgram = () => options.miniProgram || findMiniProgram(win);
  const navigate = createNavigateTransport(win, miniProgram, options);
  const transports = (options.transports || []).concat(options.socket || [], navigate);
  const pushes: ListenerMap<string> = new Map();
  transports.forEach((t) => t.onPush && t.onPush((event, data) => emitTo(pushes, event, data)));
  let destroyed = false;

  function call(api: string, params?: unknown, callOptions: CallOptions = {}): Promise<unknown> {
    const name = callOptions.transport || 'auto';
    const transport = transports.find((t) => (name === 'auto' ? t.isOpen() : t.name === name));
    if (destroyed) return Promise.reject(new HybridError('CANCELLED', DESTROYED));
    if (!transport) return Promise.reject(new HybridError('OFFLINE', `no "${name}" transport is configured`));
    return transport.call(api, params, callOptions.timeout ?? options.timeout ?? 10_000);
  }

  /** Adds one item to the postMessage batch. */
  function postItem(item: Record<string, unknown>): void {
    const mp = miniProgram();
    if (!mp) throw new HybridError('NOT_IN_MINIPROGRAM', 'wx.miniProgram is not available');
    mp.postMessage({ data: item });
  }

  return {
    call: call as Bridge<M>['call'],
    on: (event, fn) => addListener(pushes, event, fn),
    onRecovered: navigate.onRecovered,
    post: (data) => postItem({ [POSTED_DATA_KEY]: createId('m'), data }),
    postCall: (api, params) => postItem({ [POSTED_CMD_KEY]: { v: 1, req: createId('pc'), api, params } }),
    env: navigate.env,
    pending: navigate.pending,
    check: navigate.check,
    destroy() {
      if (destroyed) return;
      destroyed = true;
      pushes.clear(); // no push reaches a listener any more, whatever a transport does after close()
      transports.forEach((t) => t.close && t.close());
    },
  };
}
