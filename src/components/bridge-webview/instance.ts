/**
 * Types a page holds for bridge-webview: the instance (`selectComponentAs<BridgeWebviewInstance>(this, '#bridge')`)
 * and the `detail` of each event (`bindmessage="onMessage"` → `onMessage(e: BridgeWebviewEvent<'message'>)`).
 */
import type { ErrorCode } from '../../core/errors';
import type { ReplyPayload } from '../../core/hash';
import type { HandlerRegistry } from '../../core/registry';

/** The public methods of a bridge-webview instance. */
export interface BridgeWebviewMethods {
  /** Sends `event` to the H5 page (its `bridge.on(event)`); returns the push id. */
  push(event: string, data?: unknown): string;
  /** Posted commands are answered from `registry` (a typed HandlerRegistry) instead of the default one. */
  useRegistry<M extends object>(registry: HandlerRegistry<M>): void;
  /** Answers request `req` of the H5 page directly (without the call page). */
  reply(req: string, payload: ReplyPayload): void;
  /** Loads the page again (a fresh cache-busting `_t`). */
  reload(): void;
  /** The URL the web-view shows now. */
  getUrl(): string;
}

export type BridgeWebviewInstance = BridgeWebviewMethods & WechatMiniprogram.Component.TrivialInstance;

/** The `detail` of each bridge-webview event, by event name. */
export interface BridgeWebviewEventDetails {
  /** One item of a `wx.miniProgram.postMessage` batch (`index` of `total`). */
  message: { data: unknown; id?: string; index: number; total: number };
  /** A posted command was answered (`reply`); a broken one has `req` and `api` ''. */
  command: { req: string; api: string; reply: ReplyPayload; index?: number };
  /** A push that cannot be written into the hash (too large, not JSON) was dropped. */
  pusherror: { id: string; event: string; code: ErrorCode; message?: string };
  /** A reply that cannot be written into the hash was dropped (its caller times out or gets the error). */
  replyerror: { req: string; code: ErrorCode; message: string };
  /** The web-view's own load / error detail (`{ src }`). */
  load: { src?: string; [key: string]: unknown };
  error: { src?: string; [key: string]: unknown };
}

export type BridgeWebviewEventName = keyof BridgeWebviewEventDetails;

/** A bridge-webview event as a page handler receives it: `onMessage(e: BridgeWebviewEvent<'message'>)`. */
export type BridgeWebviewEvent<K extends BridgeWebviewEventName> = WechatMiniprogram.CustomEvent<BridgeWebviewEventDetails[K]>;
