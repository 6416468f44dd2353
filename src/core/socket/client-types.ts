/** Options, events and results of SocketClient (client.ts). */
import { BackoffOptions } from '../backoff';
import { HybridError } from '../errors';
import { ErrorFrame, Frame, HelloFrame, MessageFrame, PresenceFrame, RequestFrame } from '../frames';
import { OverflowPolicy } from '../queue';
import { PlainHeartbeatOptions, RawFrame, SocketProtocol } from './plain';
import { TargetSource } from './target';
import { SocketCloseInfo, SocketTransport } from './transport';

export type SocketState = 'idle' | 'connecting' | 'open' | 'waiting' | 'paused' | 'closing' | 'closed' | 'failed';

export interface SocketClientOptions {
  transport: SocketTransport;
  /** URL, target, or a provider called before every attempt (fresh token, protocols, headers). */
  target: TargetSource;
  backoff?: Partial<BackoffOptions>;
  /** The connection must stay up this long (ms) before the backoff resets; default 5000. */
  minUptime?: number;
  /** An attempt not open within this many ms is abandoned and retried; default 10000. */
  connectTimeout?: number;
  /** Ping interval in ms while open; 0 turns the heartbeat off; default 20000. */
  heartbeatInterval?: number;
  /** No inbound frame this long after a ping ⇒ half-open ⇒ reconnect; default 10000. */
  pongTimeout?: number;
  /**
   * Also confirm delivery (`ping` with `lastSeq`) after every this many relay frames received, so
   * a busy connection keeps the relay's replay backlog short between heartbeats; default 64
   * (a quarter of the relay's default backlog of 256); 0 confirms on heartbeats only.
   */
  confirmEvery?: number;
  /** Resend a reliable message not acked within this many ms; default 10000. */
  ackTimeout?: number;
  /** Default `request()` timeout in ms; default 15000. */
  requestTimeout?: number;
  /** How long `close()` waits for the transport's close callback; default 1000. */
  closeTimeout?: number;
  /** Queue used while not open (unreliable frames and requests). */
  queue?: { maxItems?: number; maxBytes?: number; overflow?: OverflowPolicy; ttl?: number };
  /**
   * Give a reliable message up (event `undelivered`, reason `expired`) when it is not acked within
   * this many ms of `emit`, connected or not; 0 keeps it until acked or destroy(). Default 0.
   * `emit(…, { reliable: true, ttl })` overrides it per message.
   */
  deliveryTimeout?: number;
  /** Reliable messages waiting for an ack; default 1000 items, 1 MiB. Full ⇒ QUEUE_FULL. */
  maxUnacked?: number;
  maxUnackedBytes?: number;
  /** Remembered reliable message ids for dedupe; default 5000. */
  dedupeWindow?: number;
  maxFrameBytes?: number;
  /**
   * The server is a plain relay like the old express-ws one (forwards `{ type, data }` text to
   * the other envs of the token; no hello, resume, pong, ack or seq): no `resume` is sent and the
   * heartbeat is off. Reliable messages still work end to end when the peer is a SocketClient
   * (its ack is forwarded back), without replay for a peer that was offline.
   */
  legacyRelay?: boolean;
  /**
   * 'hybrid' (default): the frames of docs/protocol.md. 'plain': any WebSocket server. Reconnect,
   * the queue until open and pause/resume stay; no frame of ours is sent (no resume, ping, ack,
   * request) unless `plainHeartbeat` is set; every inbound frame is a `raw` event; send with
   * `sendRaw(text | object)`. `emit` and `request` refuse with BAD_REQUEST.
   */
  protocol?: SocketProtocol;
  /** Plain mode keepalive (text, expected reply, interval); off when not given. */
  plainHeartbeat?: PlainHeartbeatOptions;
  /** Overrides the close-code policy: return true/false to force, undefined to keep the default. */
  shouldReconnect?: (close: SocketCloseInfo) => boolean | undefined;
  random?: () => number;
  now?: () => number;
}

export interface StateChange {
  from: SocketState;
  to: SocketState;
  reason: string;
}

export interface CloseEvent extends SocketCloseInfo {
  willReconnect: boolean;
}

export type DropReason = 'overflow' | 'expired' | 'refused';

/**
 * Why a reliable message was given up: `expired` (not acked within its ttl / deliveryTimeout;
 * error TIMEOUT), `refused` (the unacked window was full at emit, QUEUE_FULL, or the server
 * answered with an `error` frame for its id, that code), `lost` (the relay accepted it but had
 * to let it go before the peer confirmed it: its backlog was full (QUEUE_FULL) or the peer stayed
 * away past the backlog time (TIMEOUT)), `destroyed` (destroy(); CANCELLED).
 */
export type UndeliveredReason = 'expired' | 'refused' | 'lost' | 'destroyed';

/** A reliable message the peer (or relay) acked. */
export interface AckEvent {
  id: string;
  event: string;
}

/** A reliable message that will not be sent again. */
export interface UndeliveredEvent {
  id: string;
  event: string;
  reason: UndeliveredReason;
  error: HybridError;
}

export interface SocketClientEvents {
  state: StateChange;
  open: { generation: number };
  close: CloseEvent;
  hello: HelloFrame;
  presence: PresenceFrame;
  /** Application messages, duplicates removed. */
  message: MessageFrame;
  /** Every inbound frame that was not a replay, including relay-format `{ type, data }` frames. */
  frame: Frame;
  binary: ArrayBuffer;
  /**
   * Plain mode: every inbound frame (text or binary), JSON parsed when it parses. Hybrid mode:
   * inbound text that is not a frame of ours (no `type`, not JSON), which is otherwise only an `error`.
   */
  raw: RawFrame;
  /** The server refused one of our frames. */
  'server-error': ErrorFrame;
  /** Bad inbound frames and transport failures; the client keeps running. */
  error: HybridError;
  /**
   * A reliable message was delivered: the peer's app got it (exactly one `ack` or `undelivered`
   * per reliable emit). With a relay of this kit that is the peer's confirmation; with an old
   * relay (no `receipts` in its hello) the first ack, as before.
   */
  ack: AckEvent;
  /** A reliable message is held by the relay (relays of this kit only; before `ack`). */
  accepted: AckEvent;
  /** A reliable message was given up; emit it again with the same `id` to retry (the peer dedupes). */
  undelivered: UndeliveredEvent;
  /** Frames that will never be sent. */
  drop: { frame: Frame; reason: DropReason };
  failed: { reason: string; attempts: number; lastClose?: SocketCloseInfo };
}

export type SendStatus = 'sent' | 'queued' | 'refused';

/** The frame was written (`sent`) or waits for the connection (`queued`). */
export interface SendAccepted {
  status: 'sent' | 'queued';
  /** The message id (reliable messages). */
  id?: string;
  error?: undefined;
  /**
   * Reliable messages: resolves when acked, rejects with the HybridError of `undelivered` when
   * given up. Not awaiting it is fine (no unhandled rejection).
   */
  delivered?: Promise<void>;
  /**
   * Reliable messages: resolves when the relay holds the message (relays of this kit), or at the
   * latest with `delivered`; rejects like `delivered` when it is given up first.
   */
  accepted?: Promise<void>;
}

/** The frame will never be sent: `error` says why (QUEUE_FULL, PAYLOAD_TOO_LARGE, OFFLINE…). */
export interface SendRefused {
  status: 'refused';
  error: HybridError;
  /** The message id (reliable messages). */
  id?: string;
  /** Reliable messages: already rejected with `error`. */
  delivered?: Promise<void>;
  /** Reliable messages: already rejected with `error`. */
  accepted?: Promise<void>;
}

/** What send/emit return: narrow on `status` (`if (r.status === 'refused') r.error.code`). */
export type SendResult = SendAccepted | SendRefused;

/** What `emit(…, { reliable: true })` returns: always an id, a `delivered` and an `accepted` promise. */
export type ReliableSendResult = SendResult & { id: string; delivered: Promise<void>; accepted: Promise<void> };

export interface EmitOptions {
  /** Target env; without it the relay forwards to every other env of the token. */
  to?: string;
  /** Keep until acked, resend after reconnect; delivered once. Default false. */
  reliable?: boolean;
  /**
   * Unreliable frames: drop if still queued after this many ms. Reliable messages: give up
   * (`undelivered`, reason `expired`) if not acked within this many ms (default: deliveryTimeout).
   */
  ttl?: number;
  /**
   * Reliable messages: use this id instead of a new one. Retrying a given-up message with its id
   * lets the receiver drop the copy it may already have; an id still waiting for its ack is not
   * sent twice (the result reports the pending message).
   */
  id?: string;
}

export type RequestHandler = (api: string, params: unknown, frame: RequestFrame) => unknown;
export type Subscriber = (data: unknown, frame: Frame) => void;

export interface SocketStats {
  state: SocketState;
  generation: number;
  /** Connection attempts since creation. */
  attempts: number;
  /** Retries since the backoff last reset. */
  retries: number;
  queued: number;
  queuedBytes: number;
  unacked: number;
  dropped: number;
  sent: number;
  received: number;
  duplicates: number;
  replays: number;
  pendingRequests: number;
  lastSeq: number;
  lastClose?: SocketCloseInfo;
  /** Last ping → pong round trip in ms. */
  rtt?: number;
}
