/** Shapes shared by the chat-panel modules. */

/** `streaming`: the reply is still arriving (appendDelta adds to it); it ends as `sent` or `failed`. */
export type MessageStatus = 'sending' | 'sent' | 'failed' | 'streaming';
export const MESSAGE_STATUSES: readonly MessageStatus[] = ['sending', 'sent', 'failed', 'streaming'];

/**
 * What callers hand to the panel (the old chat page's `{ id, role, content }`, plus optional fields).
 * The panel keeps it as a PanelMessage: `id` as a string, `time` in milliseconds.
 */
export interface ChatMessage {
  /** A non-empty string or a finite number (kept as its string). */
  id: string | number;
  /** Equal to the panel's `self` → right; `'system'` → centred; anything else → left. */
  role: string;
  /** Text, an image URL, or any JSON value for a custom type. */
  content: unknown;
  /** `'text'` (default), `'image'`, or a custom type name. */
  type?: string;
  /** Milliseconds since the epoch, or a date string (ISO 8601) that is converted. */
  time?: number | string;
  status?: MessageStatus;
  avatar?: string;
  name?: string;
}

/** A message as the panel keeps and returns it (getMessages, events): normalized id and time. */
export interface PanelMessage extends ChatMessage {
  id: string;
  time?: number;
}

/** The fields `updateMessage` may change. */
export interface MessagePatch {
  status?: MessageStatus;
  content?: unknown;
}

export type Side = 'self' | 'other' | 'system';

/**
 * What one rendered row receives through setData. Optional fields are left out when empty so an
 * append costs about the size of the message itself.
 */
export interface MessageView {
  id: string;
  side: Side;
  type: string;
  content: unknown;
  status?: MessageStatus;
  avatar?: string;
  name?: string;
  /** Set when this message starts a new time group. */
  timeText?: string;
  /**
   * A streaming text message: its text in pieces (content is then ''), each piece sent once by
   * path. A Markdown message: its rendered block groups (one per top-level block).
   */
  parts?: unknown[];
}

/** The fields of a MessageView that can change after it was rendered. */
export type ViewField = 'content' | 'status' | 'timeText' | 'side' | 'parts';
