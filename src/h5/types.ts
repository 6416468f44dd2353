import type { ResponseStream, StreamRequestOptions } from '../core/socket/stream-calls';

/** Types of the H5 SDK. The api map type is shared with the mini program's HandlerRegistry. */
export type { ApiMap, AnyApis, ApiName, ApiParams, ApiResult } from '../core/registry';

export type Env = 'miniprogram' | 'wechat' | 'browser';

/** The part of the official JS-SDK's `wx.miniProgram` the bridge uses. */
export interface MiniProgramApi {
  navigateTo(options: { url: string; success?: (res?: unknown) => void; fail?: (err?: { errMsg?: string }) => void }): void;
  postMessage(options: { data: unknown }): void;
  getEnv?(callback: (res: { miniprogram?: boolean }) => void): void;
}

/**
 * The names a call may ask for in `CallOptions.transport`, as keys. A new transport adds its name
 * with a declaration in its own file, so a misspelt name stays a type error:
 * `declare module 'miniprogram-hybrid-kit/h5' { interface CallTransportNames { beacon: true } }`.
 */
export interface CallTransportNames {
  navigate: true;
}

export interface CallOptions {
  /**
   * 'auto' (default): the first open transport of the bridge's list (the socket when it is open,
   * else the navigate channel); a name: that transport (OFFLINE when the bridge has none by that name).
   */
  transport?: 'auto' | keyof CallTransportNames;
  /** ms before the call rejects with TIMEOUT; default the bridge's `timeout`. */
  timeout?: number;
}

/** Options of a streamed call (`SocketCallTransport.stream`): the core client's, the target being the mini program. */
export type StreamOptions<T = unknown> = Omit<StreamRequestOptions<T>, 'to'>;
/** A streamed answer: `for await` it, or use `onChunk` and await `done` (resolves with the item count). */
export type { ResponseStream };

/**
 * A channel that carries calls to the mini program: the navigate channel
 * (src/h5/navigate-transport.ts), the socket (src/h5/socket-transport.ts), or one of yours given
 * to `createBridge({ transports })`.
 */
export interface CallTransport {
  /** What `call(api, params, { transport: name })` asks for (add it to CallTransportNames). */
  readonly name: string;
  /** Can carry a call now: 'auto' takes the first open transport of the bridge's list. */
  isOpen(): boolean;
  /** Settles with the handler's result, or rejects with a HybridError (TIMEOUT after `timeout` ms). */
  call(api: string, params: unknown, timeout: number): Promise<unknown>;
  /** Pushes from the mini program arriving on this channel (they reach `bridge.on(event)`). */
  onPush?(fn: (event: string, data: unknown) => void): () => void;
  /** Called once by `bridge.destroy()`: reject what waits with CANCELLED, drop listeners and timers. */
  close?(): void;
}

/** A call made by an earlier load of this page, answered (or given up) after a reload. */
export interface RecoveredReply {
  req: string;
  api: string;
  ok: boolean;
  data?: unknown;
  error?: { code: string; message: string };
}
