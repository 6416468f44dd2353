import type { BridgeWebviewEvent } from 'miniprogram-hybrid-kit';

export function onMessage(e: BridgeWebviewEvent<'message'>): number {
  return e.detail.count; // ✗
}
