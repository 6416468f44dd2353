/** WebSocket close codes: the ones the relay sends, the ones the client uses, and what a client does after each. */

/** Sent by the relay (docs/protocol.md, "Close codes"). */
export const CLOSE_CODES = {
  normal: 1000,
  shuttingDown: 1001,
  /** Not a valid WebSocket frame (unmasked, bad opcode, RSV bits…): sent by `ws` before any of our code runs. */
  protocolError: 1002,
  /** A text frame that is not valid UTF-8: sent by `ws`. */
  invalidPayload: 1007,
  tooLarge: 1009,
  rateLimited: 4008,
  slowConsumer: 4009,
  replaced: 4500,
  expired: 4501,
} as const;

/** Used by the client when it ends a task itself (never sent by the relay). */
export const CLIENT_CLOSE = {
  normal: 1000,
  /** Heartbeat or connect timeout: the connection is presumed dead. */
  timeout: 4000,
  /** A newer task replaced this one (reconnect()). */
  replaced: 4001,
} as const;

/** Application codes the client retries after (a relay may add its own in this range). */
export const RETRYABLE_CLOSE_RANGE = { min: 4000, max: 4499 } as const;
/** Application codes after which the client stops for good (replaced, token revoked…). */
export const TERMINAL_CLOSE_RANGE = { min: 4500, max: 4999 } as const;

/** What the client does after a connection ends. */
export type CloseDecision = 'stop' | 'retry' | 'terminal';

/** 1000 = normal: stop. TERMINAL_CLOSE_RANGE: terminal. Everything else retries. */
export function closeDecision(code: number): CloseDecision {
  if (code === CLOSE_CODES.normal) return 'stop';
  if (code >= TERMINAL_CLOSE_RANGE.min && code <= TERMINAL_CLOSE_RANGE.max) return 'terminal';
  return 'retry';
}

/** WeChat's SocketTask.close accepts 1000 or 3000–4999 (the browser WebSocket too). */
export function isClosableByClient(code: number): boolean {
  return code === 1000 || (code >= 3000 && code <= 4999);
}
