import type { ChatPanelEvent } from 'miniprogram-hybrid-kit';

export function onSend(e: ChatPanelEvent<'send'>): string {
  return e.detail.txt; // ✗
}
