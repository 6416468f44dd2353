/**
 * Types a page holds for chat-panel: the instance (`selectComponentAs<ChatPanelInstance>(this, '#chat')`)
 * and the `detail` of each event it triggers (`bindsend="onSend"` → `onSend(e: ChatPanelEvent<'send'>)`).
 */
import type { ErrorShape } from '../../core/errors';
import type { ChatMessage, MessageStatus, PanelMessage } from './types';

export type { ChatMessage, MessageStatus, PanelMessage } from './types';

/** The public methods of a chat-panel instance. */
export interface ChatPanelMethods {
  /** Adds a message at the bottom (bad fields → HybridError BAD_REQUEST, nothing added). */
  appendMessage(message: ChatMessage): void;
  appendMessages(messages: ChatMessage[]): void;
  /** Older messages above the current ones (the answer to `loadhistory`); `hasMore` false ends paging. */
  prependHistory(messages: ChatMessage[], hasMore?: boolean): void;
  /** Changes `status` and/or `content` of a message (unknown id → BAD_REQUEST). */
  updateMessage(id: string, patch: { status?: MessageStatus; content?: unknown }): void;
  /** Adds text to a `streaming` message. */
  appendDelta(id: string, text: string): void;
  removeMessage(id: string): PanelMessage;
  clear(): void;
  getMessages(): PanelMessage[];
  getMessage(id: string): PanelMessage | undefined;
  scrollToBottom(): void;
  /** Sends pending row updates now. */
  flush(): void;
}

/** The chat-panel component instance (methods plus the component's own API). */
export type ChatPanelInstance = ChatPanelMethods & WechatMiniprogram.Component.TrivialInstance;

/** The `detail` of each chat-panel event, by event name. */
export interface ChatPanelEventDetails {
  /** The user sent text: the panel already shows `message` (status `sending`). */
  send: { text: string; message: PanelMessage };
  /** The user tapped retry on a failed message. */
  retry: { id: string; message: PanelMessage };
  /** The user stopped a streaming reply. */
  stop: { id: string; message: PanelMessage | undefined };
  /** The list reached the top: answer with prependHistory. `beforeId` is '' when empty. */
  loadhistory: { beforeId: string };
  linktap: { url: string };
  copy: { text: string };
  imagetap: { id: string; url: string };
  /** A bad `messages` property (the list is left as it was). */
  error: ErrorShape;
}

export type ChatPanelEventName = keyof ChatPanelEventDetails;

/** A chat-panel event as a page handler receives it: `onSend(e: ChatPanelEvent<'send'>)`. */
export type ChatPanelEvent<K extends ChatPanelEventName> = WechatMiniprogram.CustomEvent<ChatPanelEventDetails[K]>;
