/**
 * Wires a chat-panel to a socket that speaks the v1 frames of docs/protocol.md: a sent message
 * goes out as a reliable `message` frame carrying the chat message id, its `ack` marks it sent,
 * an `error` frame for it or a missing ack marks it failed (the panel then offers retry), and
 * incoming `message` frames of the chat event are appended (and acked when they carry an id).
 *
 * The socket side is two functions, so any client fits: socket-manager, a SocketClient, or a
 * bare wx SocketTask (`send: f => task.send({ data: JSON.stringify(f) })`).
 */
import { createId } from '../../core/bytes';
import { HybridError } from '../../core/errors';
import { ChatMessage } from './types';

export interface FrameLink {
  /** Sends one frame (an object; the link encodes it). May throw a HybridError (OFFLINE, QUEUE_FULL…). */
  send(frame: Record<string, unknown>): void;
  /** Calls `listener` with every decoded inbound frame; returns the unsubscribe function. */
  onFrame(listener: (frame: Record<string, unknown>) => void): () => void;
}

/** The chat-panel methods the link uses (`this.selectComponent('#chat')`). */
export interface ChatPanelApi {
  appendMessage(message: ChatMessage): void;
  updateMessage(id: string, patch: { status?: ChatMessage['status'] }): void;
  getMessage(id: string): ChatMessage | undefined;
}

export interface ChatLinkOptions {
  /** `event` of chat message frames. Default `'chat'`. */
  event?: string;
  /** Target env of sent messages (protocol `to`); default: every other env of the token. */
  to?: string;
  /** A message without an ack after this many ms is marked failed. Default 10,000; 0 = never. */
  ackTimeout?: number;
  /** Role of incoming messages without a `from`. Default `'server'`. */
  peerRole?: string;
  /** Ack incoming chat messages that carry an id. Default true; false when the socket client acks them itself. */
  ackIncoming?: boolean;
}

export interface ChatLink {
  /** Sends a panel message (from the `send` event's `detail.message`, or `retry`'s). */
  send(message: ChatMessage): void;
  /** Stops listening and forgets pending acks. */
  dispose(): void;
}

interface ChatPayload {
  text?: unknown;
  type?: unknown;
  content?: unknown;
  time?: unknown;
  name?: unknown;
  avatar?: unknown;
}

function incomingMessage(frame: Record<string, unknown>, peerRole: string): ChatMessage {
  const data = (frame.data && typeof frame.data === 'object' ? frame.data : { text: frame.data }) as ChatPayload;
  const type = typeof data.type === 'string' ? data.type : 'text';
  const message: ChatMessage = {
    id: typeof frame.id === 'string' && frame.id ? frame.id : createId('in-'),
    role: typeof frame.from === 'string' && frame.from ? frame.from : peerRole,
    type,
    content: data.content !== undefined ? data.content : data.text,
    time: typeof data.time === 'number' ? data.time : Date.now(),
  };
  if (typeof data.name === 'string') message.name = data.name;
  if (typeof data.avatar === 'string') message.avatar = data.avatar;
  return message;
}

export function linkChatPanel(panel: ChatPanelApi, link: FrameLink, options: ChatLinkOptions = {}): ChatLink {
  const event = options.event || 'chat';
  const ackTimeout = options.ackTimeout === undefined ? 10000 : options.ackTimeout;
  const peerRole = options.peerRole || 'server';
  const pending: Record<string, number> = Object.create(null);

  function settle(id: string, status: 'sent' | 'failed'): void {
    if (!(id in pending)) return;
    clearTimeout(pending[id]);
    delete pending[id];
    if (panel.getMessage(id)) panel.updateMessage(id, { status });
  }

  function onFrame(frame: Record<string, unknown>): void {
    if (!frame || typeof frame !== 'object') return;
    const id = typeof frame.id === 'string' ? frame.id : '';
    if (frame.type === 'ack') return settle(id, 'sent');
    if (frame.type === 'error') return settle(id, 'failed');
    if (frame.type !== 'message' || frame.event !== event) return;
    // a redelivery (id already shown) is not appended again, only acked again
    if (!id || !panel.getMessage(id)) {
      try {
        panel.appendMessage(incomingMessage(frame, peerRole));
      } catch (err) {
        if (!(err instanceof HybridError)) throw err; // a malformed chat frame is dropped, not fatal
        return;
      }
    }
    if (id && options.ackIncoming !== false) link.send({ type: 'ack', id });
  }

  const unsubscribe = link.onFrame(onFrame);

  return {
    send(message: ChatMessage) {
      const id = message.id;
      if (id in pending) clearTimeout(pending[id]);
      pending[id] = ackTimeout > 0 ? (setTimeout(() => settle(id, 'failed'), ackTimeout) as unknown as number) : 0;
      const frame: Record<string, unknown> = { type: 'message', id, event, data: { text: message.content, time: message.time } };
      if (options.to) frame.to = options.to;
      try {
        link.send(frame);
      } catch {
        settle(id, 'failed'); // refused locally (offline, queue full): retry is offered right away
      }
    },
    dispose() {
      unsubscribe();
      Object.keys(pending).forEach((id) => clearTimeout(pending[id]));
      Object.keys(pending).forEach((id) => delete pending[id]);
    },
  };
}
