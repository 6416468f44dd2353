/**
 * The one shape every socket transport is adapted to: WeChat's SocketTask (send/close with option
 * objects, four `on*` registrations and no `off*`). wx.connectSocket returns it as is; the browser
 * WebSocket, Node's `ws` and wx.cloud.connectContainer are adapted to it.
 */
export interface SocketCloseInfo {
  code: number;
  reason: string;
}

export interface SocketTaskLike {
  send(options: { data: string | ArrayBuffer; success?: () => void; fail?: (err: { errMsg?: string }) => void }): void;
  close(options: { code?: number; reason?: string }): void;
  onOpen(callback: (res?: unknown) => void): void;
  onClose(callback: (res: { code?: number; reason?: string }) => void): void;
  onError(callback: (res: { errMsg?: string } | unknown) => void): void;
  onMessage(callback: (res: { data: string | ArrayBuffer }) => void): void;
  /**
   * Optional: sends between cork() and uncork() may go out together (Node's `ws`: one syscall
   * instead of one per frame). WeChat's SocketTask and the browser WebSocket have neither.
   */
  cork?(): void;
  uncork?(): void;
}

/** What one connection attempt uses; asked for again before every attempt so tokens can refresh. */
export interface ConnectTarget {
  url: string;
  protocols?: string[];
  header?: Record<string, string>;
}

/** Creates one task for one attempt. May be async (wx.cloud.connectContainer). */
export type SocketTransport = (target: ConnectTarget) => SocketTaskLike | PromiseLike<SocketTaskLike>;

/** The part of the browser WebSocket (and of Node's `ws`) the adapter needs: no DOM lib required. */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType?: string;
  send(data: string | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code?: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

export type WebSocketLikeConstructor = new (url: string, protocols?: string | string[], options?: unknown) => WebSocketLike;

const WS_OPEN = 1;

/**
 * A transport over a WebSocket constructor: `webSocketTransport(WebSocket)` in a browser,
 * `webSocketTransport(require('ws'))` in Node. Headers are passed as `{ headers }` (honoured by
 * `ws`, ignored by browsers, which cannot set them: put the token in the URL there).
 */
export function webSocketTransport(WebSocketCtor: WebSocketLikeConstructor): SocketTransport {
  return (target) => {
    const protocols = target.protocols && target.protocols.length ? target.protocols : undefined;
    const socket = target.header ? new WebSocketCtor(target.url, protocols, { headers: target.header }) : new WebSocketCtor(target.url, protocols);
    socket.binaryType = 'arraybuffer';
    return adaptWebSocket(socket);
  };
}

/** The stream under a Node `ws` WebSocket (absent in browsers, null before open and after close). */
function streamOf(socket: WebSocketLike): { cork?: () => void; uncork?: () => void } | null | undefined {
  return (socket as { _socket?: { cork?: () => void; uncork?: () => void } | null })._socket;
}

export function adaptWebSocket(socket: WebSocketLike): SocketTaskLike {
  // The stream corked by cork(), so uncork() releases the same one even if the socket let it go meanwhile.
  let corked: { uncork?: () => void } | undefined;
  return {
    cork() {
      const stream = streamOf(socket);
      if (corked || !stream || typeof stream.cork !== 'function') return;
      stream.cork();
      corked = stream;
    },
    uncork() {
      const stream = corked;
      corked = undefined;
      if (stream && typeof stream.uncork === 'function') stream.uncork();
    },
    send({ data, success, fail }) {
      if (socket.readyState !== WS_OPEN) {
        if (fail) fail({ errMsg: 'send:fail socket is not open' });
        return;
      }
      try {
        socket.send(data);
        if (success) success();
      } catch (err) {
        if (fail) fail({ errMsg: `send:fail ${(err as Error).message}` });
      }
    },
    close({ code, reason }) {
      try {
        socket.close(code, reason);
      } catch {
        // Closing twice or while connecting must never throw at the caller.
      }
    },
    onOpen: (cb) => {
      socket.onopen = (ev) => cb(ev);
    },
    onClose: (cb) => {
      socket.onclose = (ev) => cb({ code: ev.code, reason: ev.reason });
    },
    onError: (cb) => {
      socket.onerror = (ev) => cb({ errMsg: (ev as { message?: string }).message || 'websocket error' });
    },
    onMessage: (cb) => {
      socket.onmessage = (ev) => cb({ data: ev.data as string | ArrayBuffer });
    },
  };
}

export function isThenable<T>(value: unknown): value is PromiseLike<T> {
  return !!value && typeof (value as { then?: unknown }).then === 'function';
}
