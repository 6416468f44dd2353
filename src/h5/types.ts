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

export interface CallOptions {
  /** ms before the call rejects with TIMEOUT; default the bridge's `timeout`. */
  timeout?: number;
  /** 'auto' (default): the socket when it is open, else the navigate channel. */
  transport?: 'auto' | 'navigate' | 'socket';
}

/** Options of a streamed call (`SocketCallTransport.stream`): the core client's, the target being the mini program. */
export type StreamOptions<T = unknown> = Omit<StreamRequestOptions<T>, 'to'>;
/** A streamed answer: `for await` it, or use `onChunk` and await `done` (resolves with the item count). */
export type { ResponseStream };

/** A channel that can carry calls besides the navigate channel (the socket transport). */
export interface CallTransport {
  readonly name: string;
  isOpen(): boolean;
  call(api: string, params: unknown, timeout: number): Promise<unknown>;
  /** Pushes from the mini program arriving on this channel. */
  onPush?(fn: (event: string, data: unknown) => void): () => void;
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
