/**
 * linkChatPanel against a server that does not speak our protocol (a socket in `protocol: 'plain'`
 * mode, e.g. a `ws` chat server that answers each message with `{ "content": …, "timestamp": … }`).
 * The mapping turns each inbound frame into a panel message and each panel message into a frame.
 * Such servers send no acks: by default the server's next frame counts as the `sent` receipt of the
 * oldest message still `sending` (`sentOn: 'reply'`); `sentOn: 'written'` marks it `sent` as soon
 * as the socket wrote it. A message not receipted within `ttl` turns `failed` (retry is offered).
 */
import { createId } from '../../core/bytes';
import { Unsubscribe } from '../../core/emitter';
import { HybridError } from '../../core/errors';
import type { RawFrame } from '../../core/socket/plain';
import type { SendResult } from '../../core/socket/client-types';
import { ChatMessage, PanelMessage } from './types';

export interface PlainChatMapping {
  /**
   * An inbound frame → the message to show, or null/undefined to skip the frame. Missing fields
   * are filled in (id, role = peerRole, type 'text', time = now). Default: JSON `content`, else
   * JSON `text`, else the frame's text.
   */
  incoming?(raw: RawFrame): Partial<PanelMessage> | null | undefined;
  /** A panel message → what to send: a string as it is, anything else as JSON. Default: its content as text. */
  outgoing?(message: PanelMessage): unknown;
  /** When an own message turns `sent`: 'reply' (default) or 'written'. */
  sentOn?: 'reply' | 'written';
}

/** The socket side of a plain link: SocketClient, or managerSocket(host) of a socket-manager host. */
export interface PlainChatSocket {
  sendRaw(value: unknown, options?: { ttl?: number }): SendResult;
  on(event: 'raw', fn: (raw: RawFrame) => void): Unsubscribe;
  on(event: 'open', fn: (e: { generation: number }) => void): Unsubscribe;
}

export interface PlainPanelApi {
  appendMessage(message: ChatMessage): void;
  updateMessage(id: string, patch: { status?: PanelMessage['status'] }): void;
  getMessage(id: string): PanelMessage | undefined;
}

export interface PlainLinkSettings {
  mapping: PlainChatMapping;
  peerRole: string;
  /** ms before an unreceipted message is `failed`; 0 waits forever. */
  ttl: number;
  onError?(error: HybridError, raw: RawFrame): void;
}

/** The default incoming mapping: `{ content }` / `{ text }` JSON, else the text itself; binary frames are skipped. */
export function defaultIncoming(raw: RawFrame): Partial<PanelMessage> | null {
  const json = raw.json as { content?: unknown; text?: unknown } | undefined;
  if (raw.isJson && json && typeof json === 'object') {
    if (json.content !== undefined) return { content: json.content };
    if (json.text !== undefined) return { content: json.text };
  }
  return typeof raw.data === 'string' ? { content: raw.data } : null;
}

function defaultOutgoing(message: PanelMessage): unknown {
  return typeof message.content === 'string' ? message.content : JSON.stringify(message.content);
}

interface Pending {
  id: string;
  /** The socket has put it on the wire (sent at once, or flushed when the socket opened). */
  written: boolean;
  timer?: ReturnType<typeof setTimeout>;
}

/** The link itself: own messages waiting for their receipt, and the mapping of inbound frames. */
class PlainChatLink {
  /** Own messages still `sending`, oldest first. */
  private readonly pending: Pending[] = [];
  private readonly offs: Unsubscribe[];
  private readonly sentOn: 'reply' | 'written';

  constructor(private readonly panel: PlainPanelApi, private readonly socket: PlainChatSocket, private readonly settings: PlainLinkSettings) {
    this.sentOn = settings.mapping.sentOn || 'reply';
    this.offs = [socket.on('raw', (raw) => this.onRaw(raw)), socket.on('open', () => this.onOpen())];
  }

  send(message: PanelMessage): SendResult {
    const { mapping, ttl } = this.settings;
    this.forget(message.id); // a retry replaces the earlier attempt
    let result: SendResult;
    try {
      // A copy still queued when the ttl ends is dropped with it (a retry sends a fresh one).
      result = this.socket.sendRaw((mapping.outgoing || defaultOutgoing)(message), ttl > 0 ? { ttl } : undefined);
    } catch (err) {
      result = { status: 'refused', error: HybridError.from(err, 'BAD_REQUEST') };
    }
    if (result.status === 'refused') {
      this.setStatus(message.id, 'failed');
      return { ...result, id: message.id };
    }
    const entry: Pending = { id: message.id, written: result.status === 'sent' };
    this.pending.push(entry);
    if (entry.written && this.sentOn === 'written') this.settle(message.id, 'sent');
    else if (ttl > 0) entry.timer = setTimeout(() => this.settle(message.id, 'failed'), ttl);
    return { ...result, id: message.id };
  }

  dispose(): void {
    this.offs.splice(0).forEach((off) => off());
    for (const p of this.pending.splice(0)) if (p.timer !== undefined) clearTimeout(p.timer);
  }

  private onRaw(raw: RawFrame): void {
    // No acks on a plain server: its next frame answers the oldest message it has been sent.
    const answered = this.sentOn === 'reply' ? this.pending.find((p) => p.written) : undefined;
    if (answered) this.settle(answered.id, 'sent');
    try {
      const shown = (this.settings.mapping.incoming || defaultIncoming)(raw);
      if (!shown) return;
      this.panel.appendMessage({ id: createId('in-'), role: this.settings.peerRole, type: 'text', time: Date.now(), ...shown } as PanelMessage);
    } catch (err) {
      if (!(err instanceof HybridError)) throw err;
      if (this.settings.onError) this.settings.onError(err, raw);
    }
  }

  /** The socket (re)opened: queued messages were flushed to it. */
  private onOpen(): void {
    for (const p of this.pending.slice()) {
      p.written = true;
      if (this.sentOn === 'written') this.settle(p.id, 'sent');
    }
  }

  private forget(id: string): boolean {
    const i = this.pending.findIndex((p) => p.id === id);
    if (i < 0) return false;
    const [entry] = this.pending.splice(i, 1);
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    return true;
  }

  private setStatus(id: string, status: 'sent' | 'failed'): void {
    if (this.panel.getMessage(id)) this.panel.updateMessage(id, { status });
  }

  private settle(id: string, status: 'sent' | 'failed'): void {
    if (this.forget(id)) this.setStatus(id, status);
  }
}

export function linkPlain(panel: PlainPanelApi, socket: PlainChatSocket, settings: PlainLinkSettings): { send(message: PanelMessage): SendResult; dispose(): void } {
  return new PlainChatLink(panel, socket, settings);
}
