import { SocketCloseInfo } from './transport';
import { CLIENT_CLOSE, closeDecision, CloseDecision } from '../protocol/close-codes';

export { CLIENT_CLOSE };
export type { CloseDecision };

/** What the client does after a connection ends (policy and codes: src/core/protocol/close-codes.ts). */
export function decideOnClose(close: SocketCloseInfo): CloseDecision {
  return closeDecision(close.code);
}
