import { SocketCloseInfo } from './transport';

/** What the client does after a connection ends (docs/protocol.md, "Close codes"). */
export type CloseDecision = 'stop' | 'retry' | 'terminal';

/** 1000 = normal: stop. 4500–4999 = terminal (replaced, token revoked…). Everything else retries. */
export function decideOnClose(close: SocketCloseInfo): CloseDecision {
  if (close.code === 1000) return 'stop';
  if (close.code >= 4500 && close.code <= 4999) return 'terminal';
  return 'retry';
}

/** Codes the client uses when it ends a task itself (never sent by the relay). */
export const CLIENT_CLOSE = {
  normal: 1000,
  /** Heartbeat or connect timeout: the connection is presumed dead. */
  timeout: 4000,
  /** A newer task replaced this one (reconnect()). */
  replaced: 4001,
} as const;
