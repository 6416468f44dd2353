/**
 * A chat-panel's state outside setData (one per attached instance), and PanelHost: the part of the
 * component instance the panel's modules use, so each job is a plain function of the host.
 */
import { HybridError } from '../../core/errors';
import { ChatLabels } from './labels';
import { ViewOptions } from './message-entry';
import { ChunkRenderer, Patch } from './render';
import { ChatStore } from './store';
import { StreamingSet } from './streaming';
import { RenderWindow } from './window';

/** Messages per chunk: the unit the view appends to, pages in and drops. */
export const CHUNK_SIZE = 20;

export interface PanelState {
  store: ChatStore;
  win: RenderWindow;
  renderer: ChunkRenderer;
  /** Messages whose status is `streaming` (the bar shows a stop button while there is one). */
  streams: StreamingSet;
  /** Is the reader at the bottom of the list (follow new messages)? */
  atBottom: boolean;
  viewportHeight: number;
  /** Scroll to the newest message at the next flush (own message, chip tap, keyboard). */
  toBottom: boolean;
  /** Keep this message in view at the next flush (after paging). */
  anchorId: string;
  /** Messages were appended since the last flush. */
  grew: boolean;
  unread: number;
  /** Alternates the bottom sentinel so each scroll request changes `scroll-into-view`. */
  sentinelFlip: boolean;
  /** Non-list data to send with the next flush. */
  extra: Patch;
  timer?: number;
  hintTimer?: number;
  lastFlush: number;
  hidden: boolean;
  awaitingHistory: boolean;
  draft: string;
  attached: boolean;
  /** The `messages` array last loaded, so the same value is not loaded twice. */
  loadedList?: unknown;
}

/** The component's properties and data the modules read. */
export interface PanelData {
  self: string;
  locale: string;
  placeholder: string;
  sendText: string;
  hasMore: boolean;
  windowSize: number;
  flushInterval: number;
  timeGap: number;
  bottomThreshold: number;
  appendOnSend: boolean;
  hintDuration: number;
  anchorPrefix: string;
  unread: number;
  keyboardHeight: number;
  streaming: boolean;
  labels: ChatLabels;
}

/** The component instance as the panel's modules see it. */
export interface PanelHost {
  readonly data: PanelData;
  setData(patch: Patch): void;
  triggerEvent(name: string, detail?: object): void;
  /** The public `flush()` method (timers call it, so a detached panel does nothing). */
  flush(): void;
  createSelectorQuery(): WechatMiniprogram.SelectorQuery;
}

const states = new WeakMap<object, PanelState>();

export function viewOptions(data: { self: string; locale: string; timeGap: number }): ViewOptions {
  return { self: data.self || 'me', locale: data.locale, timeGapMs: data.timeGap };
}

export function maxChunks(windowSize: number): number {
  return Math.max(2, Math.ceil(windowSize / CHUNK_SIZE));
}

export function cancel(timer: number | undefined): void {
  if (timer !== undefined) clearTimeout(timer);
}

/** A fresh state for a panel being attached. */
export function attachState(host: object, data: PanelData): PanelState {
  const st: PanelState = {
    store: new ChatStore(CHUNK_SIZE, viewOptions(data)),
    win: new RenderWindow(maxChunks(data.windowSize)),
    renderer: new ChunkRenderer(),
    streams: new StreamingSet(),
    atBottom: true,
    viewportHeight: 0,
    toBottom: false,
    anchorId: '',
    grew: false,
    unread: 0,
    sentinelFlip: false,
    extra: {},
    lastFlush: 0,
    hidden: false,
    awaitingHistory: false,
    draft: '',
    attached: true,
  };
  states.set(host, st);
  return st;
}

/** Stops the panel's timers and forgets its state. */
export function detachState(host: object): void {
  const st = states.get(host);
  if (!st) return;
  cancel(st.timer);
  cancel(st.hintTimer);
  st.attached = false;
  states.delete(host);
}

/** The state of an attached panel, or undefined. */
export function stateIfAttached(host: object): PanelState | undefined {
  return states.get(host);
}

/** The state of an attached panel; HybridError BAD_REQUEST for a detached one (a public method called too late). */
export function stateOf(host: object): PanelState {
  const st = states.get(host);
  if (!st) throw new HybridError('BAD_REQUEST', 'chat-panel: the component is not attached');
  return st;
}
