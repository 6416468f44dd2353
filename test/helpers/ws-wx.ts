/**
 * A wx.connectSocket backed by the real `ws` client, shaped like WeChat's SocketTask: send/close take
 * option objects, four on* registrations, no off*, onError then onClose on failure. It counts the
 * tasks it created and the ones still alive, so tests can prove "one live task" and "nothing left".
 */
import WebSocket from 'ws';
import { waitFor } from './wait';

/** Re-exported for the socket tests that import it from here. */
export { waitFor } from './wait';

export interface WsTask {
  send(options: { data: string | ArrayBuffer; success?: () => void; fail?: (err: { errMsg: string }) => void }): void;
  close(options?: { code?: number; reason?: string }): void;
  onOpen(cb: (res: unknown) => void): void;
  onClose(cb: (res: { code: number; reason: string }) => void): void;
  onError(cb: (res: { errMsg: string }) => void): void;
  onMessage(cb: (res: { data: string | ArrayBuffer }) => void): void;
  /** Test-only: the url this task connected to. */
  readonly url: string;
}

export interface WsWx {
  connectSocket(options: { url: string; header?: Record<string, string>; protocols?: string[] }): WsTask;
  /** Tasks created so far. */
  readonly created: number;
  /** Tasks whose socket is not closed yet. */
  live(): number;
  /** close() calls with a code or reason WeChat would refuse. */
  readonly invalidCloses: number;
  /** Urls of every connectSocket call, in order. */
  readonly urls: string[];
  /** Resolves when every socket created here is closed. */
  settled(): Promise<void>;
}

/** How long a task waits for the close handshake before cutting the TCP connection (WeChat does not wait 30 s either). */
const CLOSE_GRACE_MS = 200;

/** WeChat accepts close code 1000 or 3000–4999 and at most 123 bytes of reason. */
function acceptedClose(code: number, reason: string): boolean {
  return (code === 1000 || (code >= 3000 && code <= 4999)) && Buffer.byteLength(reason) <= 123;
}

/** One SocketTask over a `ws` client; `onInvalidClose` counts close() calls WeChat would refuse. */
function wsTask(url: string, ws: WebSocket, onInvalidClose: () => void): WsTask {
  let graceTimer: NodeJS.Timeout | undefined;
  ws.on('close', () => {
    if (graceTimer) clearTimeout(graceTimer);
  });
  // ws emits 'error' without a listener as an uncaught exception; WeChat reports it via onError.
  let onError: (res: { errMsg: string }) => void = () => {};
  ws.on('error', (err) => onError({ errMsg: `connectSocket:fail ${err.message}` }));
  return {
    url,
    send({ data, success, fail }) {
      if (ws.readyState !== WebSocket.OPEN) {
        if (fail) fail({ errMsg: 'sendSocketMessage:fail WebSocket is not connected' });
        return;
      }
      ws.send(data, (err) => (err ? fail && fail({ errMsg: `sendSocketMessage:fail ${err.message}` }) : success && success()));
    },
    close({ code = 1000, reason = '' } = {}) {
      if (!acceptedClose(code, reason)) {
        onInvalidClose();
        ws.terminate();
        return;
      }
      if (ws.readyState === WebSocket.CLOSED) return;
      if (ws.readyState === WebSocket.CONNECTING) {
        ws.terminate();
        return;
      }
      ws.close(code, reason);
      graceTimer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
    },
    onOpen: (cb) => ws.on('open', () => cb({ header: {} })),
    onClose: (cb) => ws.on('close', (code: number, reason: Buffer) => cb({ code, reason: reason.toString() })),
    onError: (cb) => {
      onError = cb;
    },
    onMessage: (cb) => ws.on('message', (data: Buffer | ArrayBuffer, isBinary: boolean) => cb({ data: isBinary ? (data as ArrayBuffer) : Buffer.from(data as ArrayBuffer).toString('utf8') })),
  };
}

export function createWsWx(): WsWx {
  const sockets = new Set<WebSocket>();
  const urls: string[] = [];
  let created = 0;
  let invalidCloses = 0;

  function connectSocket(options: { url: string; header?: Record<string, string>; protocols?: string[] }): WsTask {
    created++;
    urls.push(options.url);
    const ws = new WebSocket(options.url, options.protocols || [], { headers: options.header });
    ws.binaryType = 'arraybuffer';
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    return wsTask(options.url, ws, () => invalidCloses++);
  }

  return {
    connectSocket,
    get created() {
      return created;
    },
    get invalidCloses() {
      return invalidCloses;
    },
    live: () => sockets.size,
    urls,
    settled: () => waitFor(() => sockets.size === 0, 3000, 'sockets to close'),
  };
}
