/**
 * Wires a chat-panel to a SocketClient (or a page with the socket-manager behavior). A thin
 * adapter: the socket client does the protocol (ids, acks, resends, dedupe, replay); this only
 * maps its outcomes onto the panel.
 *
 *   send / retry       → reliable emit whose id is the panel message id (a retry reuses it, so the
 *                        peer drops a copy it already has)
 *   `ack` event        → status `sent`
 *   `undelivered`      → status `failed` (the panel then offers retry)
 *   incoming messages  → appended (the client has already removed duplicates)
 *
 * With the `plain` option it works against any WebSocket server instead (./plain-link).
 */
import { createId } from '../../core/bytes';
import { Unsubscribe } from '../../core/emitter';
import { HybridError } from '../../core/errors';
import type { MessageFrame } from '../../core/frames';
import type { EmitOptions, SendResult, SocketClientEvents, Subscriber } from '../../core/socket/client-types';
import { ChatMessage, PanelMessage } from './types';
import { linkPlain, PlainChatMapping, PlainChatSocket } from './plain-link';
import { StreamingSocket, StreamLink, streamLink, StreamPanelApi } from './stream-link';

export type { PlainChatMapping } from './plain-link';
export type { StreamReplyOptions } from './stream-link';

/** The socket side: a SocketClient fits as it is; `managerSocket(page)` adapts a socket-manager host. */
type OutcomeEvent = 'ack' | 'undelivered' | 'raw' | 'open';

export interface ChatSocket extends StreamingSocket {
  emit(event: string, data: unknown, options: EmitOptions): SendResult;
  subscribe(name: string, fn: Subscriber): Unsubscribe;
  on<K extends OutcomeEvent>(event: K, fn: (payload: SocketClientEvents[K]) => void): Unsubscribe;
  /** Needed by the `plain` option (SocketClient.sendRaw, socket-manager's socketSend). */
  sendRaw?(value: unknown, options?: { ttl?: number }): SendResult;
}

/** The socket-manager methods `managerSocket` uses (a page or component with the behavior). */
export interface SocketManagerHost {
  socketEmit(event: string, data?: unknown, options?: EmitOptions): SendResult;
  socketSubscribe(name: string, fn: Subscriber): Unsubscribe;
  socketOn<K extends OutcomeEvent>(event: K, fn: (payload: SocketClientEvents[K]) => void): Unsubscribe;
  socketSend?(value: unknown, options?: { ttl?: number }): SendResult;
  socketStream?: StreamingSocket['requestStream'];
}

/** A socket-manager host as a ChatSocket; its listeners are also removed when the host detaches. */
export function managerSocket(host: SocketManagerHost): ChatSocket {
  return {
    emit: (event, data, options) => host.socketEmit(event, data, options),
    subscribe: (name, fn) => host.socketSubscribe(name, fn),
    on: (event, fn) => host.socketOn(event, fn),
    sendRaw: (value, options) => {
      if (typeof host.socketSend !== 'function') throw new HybridError('BAD_REQUEST', 'the socket-manager host has no socketSend');
      return host.socketSend(value, options);
    },
    requestStream: (api, params, options) => {
      if (typeof host.socketStream !== 'function') throw new HybridError('BAD_REQUEST', 'the socket-manager host has no socketStream');
      return host.socketStream(api, params, options);
    },
  };
}

/** The chat-panel methods the link uses (`this.selectComponent('#chat')`). */
export interface ChatPanelApi extends StreamPanelApi {
  appendMessage(message: ChatMessage): void;
  updateMessage(id: string, patch: { status?: PanelMessage['status'] }): void;
  getMessage(id: string): PanelMessage | undefined;
}

export interface ChatLinkOptions {
  /** `event` of chat messages. Default `'chat'`. */
  event?: string;
  /** Target env of sent messages; default: every other env of the token. */
  to?: string;
  /** Give a message up (status `failed`) when not acked within this many ms; default: the client's `deliveryTimeout`. */
  ttl?: number;
  /** Sent as `data.name` with every message. */
  name?: string;
  /** Role of incoming messages without a `from`. Default `'server'`. */
  peerRole?: string;
  /** An incoming chat message the panel refused (bad content, …); default: dropped silently. */
  onError?(error: HybridError, frame: unknown): void;
  /**
   * The server does not speak our protocol (the socket is in `protocol: 'plain'` mode): map its
   * frames to messages and back (`true` for the default mapping). `ttl` then defaults to 15000.
   */
  plain?: PlainChatMapping | true;
}

export interface ChatLink extends Pick<StreamLink, 'stream' | 'stop'> {
  /**
   * Sends a panel message (the `send` event's `detail.message`, or `retry`'s). The outcome comes
   * back as a status; a send refused at once (offline, queue full, bad input) is `failed` at once
   * and its error is returned.
   */
  send(message: PanelMessage): SendResult;
  /** Stops listening. Messages in flight keep their status until the client reports them. */
  dispose(): void;
}

/** The `data` of a chat message on the wire. */
interface ChatPayload {
  text?: unknown;
  type?: unknown;
  content?: unknown;
  time?: unknown;
  name?: unknown;
  avatar?: unknown;
}

function outgoingPayload(message: PanelMessage, name: string | undefined): ChatPayload {
  const type = message.type || 'text';
  const data: ChatPayload = type === 'text' ? { text: message.content } : { type, content: message.content };
  data.time = message.time ?? Date.now();
  if (name) data.name = name;
  return data;
}

function incomingMessage(data: unknown, frame: MessageFrame, peerRole: string): PanelMessage {
  const payload = (data && typeof data === 'object' ? data : { text: data }) as ChatPayload;
  const message: PanelMessage = {
    id: frame.id || createId('in-'),
    role: frame.from || peerRole,
    type: typeof payload.type === 'string' ? payload.type : 'text',
    content: payload.content !== undefined ? payload.content : payload.text,
    time: typeof payload.time === 'number' ? payload.time : Date.now(),
  };
  if (typeof payload.name === 'string') message.name = payload.name;
  if (typeof payload.avatar === 'string') message.avatar = payload.avatar;
  return message;
}

/** What linkChatPanel takes: a typed instance, or what `this.selectComponent('#chat')` returns as it is. */
export type ChatPanelLike = ChatPanelApi | WechatMiniprogram.Component.TrivialInstance;

export function linkChatPanel(panelLike: ChatPanelLike, socket: ChatSocket, options: ChatLinkOptions = {}): ChatLink {
  const panel = panelLike as ChatPanelApi;
  const event = options.event || 'chat';
  const peerRole = options.peerRole || 'server';
  if (options.plain) {
    if (typeof socket.sendRaw !== 'function') throw new HybridError('BAD_REQUEST', 'linkChatPanel({ plain }) needs a socket with sendRaw (SocketClient or managerSocket)');
    const mapping = options.plain === true ? {} : options.plain;
    const plainLink = linkPlain(panel, socket as PlainChatSocket, { mapping, peerRole, ttl: options.ttl ?? 15000, onError: options.onError });
    // plainLink is a class instance: its methods live on the prototype (a spread would drop them), bound here.
    return { ...streamLink(panel, {}, { peerRole }), send: (message) => plainLink.send(message), dispose: () => plainLink.dispose() }; // a plain server cannot stream
  }
  const streams = streamLink(panel, socket, { to: options.to, peerRole });

  /** Only outcomes of this event's messages that the panel shows are applied. */
  function setStatus(e: { id: string; event: string }, status: 'sent' | 'failed'): void {
    if (e.event === event && panel.getMessage(e.id)) panel.updateMessage(e.id, { status });
  }

  function append(data: unknown, frame: MessageFrame): void {
    // An id the panel already shows is our own message echoed back by a lone relay, not a new one.
    if (frame.id && panel.getMessage(frame.id)) return;
    try {
      panel.appendMessage(incomingMessage(data, frame, peerRole));
    } catch (err) {
      if (!(err instanceof HybridError)) throw err;
      if (options.onError) options.onError(err, frame);
    }
  }

  const offs = [
    socket.on('ack', (e) => setStatus(e, 'sent')),
    socket.on('undelivered', (e) => setStatus(e, 'failed')),
    socket.subscribe(event, (data, frame) => append(data, frame as MessageFrame)),
  ];

  return {
    send(message) {
      const emitOptions: EmitOptions = { reliable: true, id: message.id };
      if (options.to !== undefined) emitOptions.to = options.to;
      if (options.ttl !== undefined) emitOptions.ttl = options.ttl;
      try {
        return socket.emit(event, outgoingPayload(message, options.name), emitOptions);
      } catch (err) {
        // Refused before it was accepted (socket not started, id or payload invalid): retry is offered at once.
        const error = HybridError.from(err, 'BAD_REQUEST');
        setStatus({ id: message.id, event }, 'failed');
        return { status: 'refused', id: message.id, error };
      }
    },
    stream: streams.stream,
    stop: streams.stop,
    dispose() {
      offs.splice(0).forEach((off) => off());
      streams.dispose();
    },
  };
}
