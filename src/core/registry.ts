/**
 * The handler registry: the mini program's answers to calls from the H5 page, whatever channel
 * they arrive on (the navigate call page, a socket `request` frame, a postMessage batch).
 * Platform-free. A handler never makes a call hang: throws, rejections, unknown names, bad
 * params and slow handlers all become a reply with an error code.
 *
 * Types: describe your APIs once and share the type with the H5 side,
 *   interface MyApis { getUser: { params: { id: string }; result: User } }
 *   const registry = new HandlerRegistry<MyApis>();   // H5: createBridge<MyApis>(…)
 */
import { HybridError } from './errors';
import { ReplyPayload, errorReply, okReply } from './hash';
import { checkName, stringifyJson } from './json';

/** Maps an api name to its params and result types. */
export type ApiMap = { [api: string]: { params?: unknown; result?: unknown } };
/** The loose map used when no types are given. */
export type AnyApis = { [api: string]: { params?: any; result?: any } };

export type ApiName<M> = Extract<keyof M, string>;
export type ApiParams<M, K extends keyof M> = M[K] extends { params?: infer P } ? P : unknown;
export type ApiResult<M, K extends keyof M> = M[K] extends { result?: infer R } ? R : unknown;

export type CallSource = 'navigate' | 'socket' | 'message' | 'local';

export interface HandlerContext {
  api: string;
  /** The caller's request id. */
  req: string;
  source: CallSource;
  /** True once the call was cancelled or timed out: a long handler may stop early. */
  readonly cancelled: boolean;
}

export type Handler<P = any, R = any> = (params: P, context: HandlerContext) => R | Promise<R>;

export interface InvokeOptions {
  req?: string;
  source?: CallSource;
  /** ms before the reply is TIMEOUT; 0 or Infinity waits forever. Default: the registry's. */
  timeout?: number;
}

/** A call in progress: `reply` always resolves (never rejects); `cancel` answers CANCELLED at once. */
export interface PendingInvocation {
  readonly reply: Promise<ReplyPayload>;
  cancel(reason?: string): void;
}

export interface RegistryOptions {
  /** Default handler timeout in ms (10 s). */
  timeout?: number;
}

let reqCounter = 0;

/** The result as a reply, or HANDLER_ERROR when JSON cannot carry it (cycles, BigInt). */
function encodableReply(api: string, data: unknown): ReplyPayload {
  if (data === undefined) return okReply();
  if (data !== null && typeof (data as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    return errorReply(new HybridError('BAD_REQUEST', `"${api}" answers with a stream: ask for one (requestStream, socketStream, socket.stream)`));
  }
  try {
    stringifyJson(data, `the result of "${api}"`);
  } catch (err) {
    return errorReply(new HybridError('HANDLER_ERROR', (err as Error).message));
  }
  return okReply(data);
}

export class HandlerRegistry<M extends object = AnyApis> {
  private readonly handlers = new Map<string, Handler>();
  timeout: number;

  constructor(options: RegistryOptions = {}) {
    this.timeout = options.timeout ?? 10_000;
  }

  /** Adds a handler; a name already taken is refused. Returns the function that removes it. */
  register<K extends ApiName<M>>(api: K, handler: Handler<ApiParams<M, K>, ApiResult<M, K>>): () => void {
    checkName(api, 'api');
    if (typeof handler !== 'function') throw new HybridError('BAD_REQUEST', `handler for "${api}" must be a function`);
    if (this.handlers.has(api)) throw new HybridError('BAD_REQUEST', `a handler for "${api}" is already registered`);
    this.handlers.set(api, handler as Handler);
    return () => {
      if (this.handlers.get(api) === handler) this.handlers.delete(api);
    };
  }

  unregister(api: ApiName<M>): boolean {
    return this.handlers.delete(api);
  }

  has(api: string): boolean {
    return this.handlers.has(api);
  }

  names(): string[] {
    return Array.from(this.handlers.keys());
  }

  /** Runs the handler for `api`; see PendingInvocation. */
  invoke(api: string, params: unknown, options: InvokeOptions = {}): PendingInvocation {
    const req = options.req ?? `local-${++reqCounter}`;
    const timeout = options.timeout ?? this.timeout;
    let settle!: (reply: ReplyPayload) => void;
    let done = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const context: HandlerContext = { api, req, source: options.source ?? 'local', cancelled: false };
    const reply = new Promise<ReplyPayload>((resolve) => {
      settle = (r) => {
        if (done) return;
        done = true;
        if (timer !== undefined) clearTimeout(timer);
        (context as { cancelled: boolean }).cancelled = !r.ok && (r.error.code === 'CANCELLED' || r.error.code === 'TIMEOUT');
        resolve(r);
      };
    });
    const handler = this.handlers.get(api);
    if (!handler) {
      settle(errorReply(new HybridError('METHOD_NOT_FOUND', `no handler registered for "${api}"`)));
    } else {
      if (timeout > 0 && timeout < Infinity) {
        timer = setTimeout(() => settle(errorReply(new HybridError('TIMEOUT', `"${api}" did not answer within ${timeout} ms`))), timeout);
      }
      try {
        Promise.resolve(handler(params, context)).then(
          (data) => settle(encodableReply(api, data)),
          (err) => settle(errorReply(HybridError.from(err, 'HANDLER_ERROR'))),
        );
      } catch (err) {
        settle(errorReply(HybridError.from(err, 'HANDLER_ERROR')));
      }
    }
    return {
      reply,
      cancel: (reason = 'the call was cancelled') => settle(errorReply(new HybridError('CANCELLED', reason))),
    };
  }

  /**
   * Runs the handler for a caller that takes a stream: a handler returning an async iterable
   * (e.g. an `async function*`) streams its items; any other handler's result is one item. The
   * iterable's `return()` (the caller cancelled or went away) sets `context.cancelled` and stops
   * the handler's iterator. Unknown api → METHOD_NOT_FOUND on the first `next()`.
   */
  stream(api: string, params: unknown, options: InvokeOptions = {}): AsyncIterable<unknown> {
    const context: HandlerContext = { api, req: options.req ?? `local-${++reqCounter}`, source: options.source ?? 'local', cancelled: false };
    const handler = this.handlers.get(api);
    let inner: AsyncIterator<unknown> | undefined;
    const start = async (): Promise<AsyncIterator<unknown>> => {
      if (!handler) throw new HybridError('METHOD_NOT_FOUND', `no handler registered for "${api}"`);
      const result = await handler(params, context);
      if (result && typeof (result as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') return (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
      let given = false; // a plain result: one item
      return { next: async () => (given ? { value: undefined, done: true } : ((given = true), { value: result, done: false })) };
    };
    const iterator: AsyncIterator<unknown> = {
      next: async () => {
        if (context.cancelled) return { value: undefined, done: true };
        try {
          inner = inner || (await start());
          return await inner.next();
        } catch (err) {
          throw HybridError.from(err, 'HANDLER_ERROR');
        }
      },
      return: async () => {
        (context as { cancelled: boolean }).cancelled = true;
        if (inner && typeof inner.return === 'function') await inner.return();
        return { value: undefined, done: true };
      },
    };
    return { [Symbol.asyncIterator]: () => iterator };
  }

  /** Like invoke, but resolves with the result and rejects with a HybridError (socket glue, app code). */
  async call(api: string, params?: unknown, options: InvokeOptions = {}): Promise<unknown> {
    const reply = await this.invoke(api, params, options).reply;
    if (reply.ok) return reply.data;
    throw new HybridError(reply.error.code, reply.error.message);
  }
}

/** The registry the call page, bridge-webview and socket glue use unless given another. */
export const defaultRegistry = /* @__PURE__ */ new HandlerRegistry();

/**
 * The default registry typed by your API map, so each handler's params and result follow from its
 * name: `const apis = typedRegistry<Apis>(); apis.register('getUser', ({ id }) => …)`. The call
 * page, bridge-webview and serveSocketRequests answer from it (it is `defaultRegistry`).
 */
export function typedRegistry<M extends object>(): HandlerRegistry<M> {
  return defaultRegistry as unknown as HandlerRegistry<M>;
}

/**
 * `register` on the default registry. Untyped: `register('getUser', (params) => …)`. Typed by a
 * map, name both (`register<Apis, 'getUser'>(…)`) or use typedRegistry<Apis>().register(…), which
 * infers the name: TypeScript cannot infer one type argument when another is given.
 */
export function register<M extends object = AnyApis, K extends ApiName<M> = ApiName<M>>(
  api: K,
  handler: Handler<ApiParams<M, K>, ApiResult<M, K>>,
): () => void {
  return (defaultRegistry as unknown as HandlerRegistry<M>).register(api, handler);
}

/**
 * Envelopes of the postMessage batch (H5 `wx.miniProgram.postMessage`, delivered to
 * `bindmessage` only on back/share/destroy/copy-link). The SDK wraps each post with an id so a
 * batch delivered twice is not handled twice; items without an envelope pass through as data.
 */
export const POSTED_DATA_KEY = '_hkmsg';
export const POSTED_CMD_KEY = '_hkcmd';

export type PostedItem =
  | { kind: 'data'; id?: string; data: unknown }
  | { kind: 'command'; req: string; api: string; params?: unknown }
  /** Looked like a command but was broken. */
  | { kind: 'invalid'; error: HybridError; item: unknown };

export function readPostedItem(item: unknown): PostedItem {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return { kind: 'data', data: item };
  const o = item as Record<string, unknown>;
  if (POSTED_CMD_KEY in o) {
    const cmd = o[POSTED_CMD_KEY] as Record<string, unknown> | null;
    try {
      if (typeof cmd !== 'object' || cmd === null) throw new HybridError('BAD_REQUEST', 'posted command is not an object');
      const req = checkName(cmd.req, 'req');
      const api = checkName(cmd.api, 'api');
      return { kind: 'command', req, api, params: cmd.params };
    } catch (err) {
      return { kind: 'invalid', error: HybridError.from(err, 'BAD_REQUEST'), item };
    }
  }
  if (typeof o[POSTED_DATA_KEY] === 'string') return { kind: 'data', id: o[POSTED_DATA_KEY] as string, data: o.data };
  return { kind: 'data', data: item };
}
