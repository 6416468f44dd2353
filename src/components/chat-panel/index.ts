/**
 * chat-panel: a message list that owns its data (updated by data path, rendered through a bounded
 * window of chunks) plus an input bar. Pages drive it through the instance methods
 * (`selectComponent('#chat').appendMessage(...)`) and listen to `send`, `retry`, `loadhistory`.
 */
import { createId } from '../../core/bytes';
import { HybridError } from '../../core/errors';
import { ChatLabels, labelsFor, newMessagesText } from './labels';
import { ChunkRenderer, Patch } from './render';
import { ChatStore, ViewOptions } from './store';
import { checkDelta, StreamingSet } from './streaming';
import { ChatMessage, PanelMessage } from './types';
import { normalizeList, normalizePatch, unknownId } from './validate';
import { RenderWindow } from './window';

/** Messages per chunk: the unit the view appends to, pages in and drops. */
const CHUNK_SIZE = 20;

interface PanelState {
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

const states = new WeakMap<object, PanelState>();
let instances = 0;

function viewOptions(data: { self: string; locale: string; timeGap: number }): ViewOptions {
  return { self: data.self || 'me', locale: data.locale, timeGapMs: data.timeGap };
}

function maxChunks(windowSize: number): number {
  return Math.max(2, Math.ceil(windowSize / CHUNK_SIZE));
}

function cancel(timer: number | undefined): void {
  if (timer !== undefined) clearTimeout(timer);
}

function emptyLabels(): ChatLabels {
  return labelsFor('zh');
}

Component({
  externalClasses: ['custom-class', 'list-class', 'row-class', 'bubble-class', 'bar-class', 'input-class', 'send-class', 'chip-class'],
  options: {
    pureDataPattern: /^_/,
    multipleSlots: true,
  },
  properties: {
    /** Initial conversation (oldest first). Setting it again replaces the conversation. */
    messages: { type: Array, value: [] },
    /** The role drawn on the right (your own messages). */
    self: { type: String, value: 'me' },
    /** `zh` (default) or `en`: default placeholder, button text and hints. */
    locale: { type: String, value: 'zh' },
    placeholder: { type: String, value: '' },
    sendText: { type: String, value: '' },
    /** Whether earlier history can be asked for (`loadhistory`) when the reader reaches the top. */
    hasMore: { type: Boolean, value: true },
    /** About how many messages are rendered at once (rounded up to whole chunks of 20). */
    windowSize: { type: Number, value: 120 },
    /** Minimum ms between two list updates during a burst (≤ 1000 / flushInterval setData calls per second). */
    flushInterval: { type: Number, value: 100 },
    /** A time line is shown when a message comes this many ms after the previous one. */
    timeGap: { type: Number, value: 5 * 60 * 1000 },
    /** Distance (px) from the bottom that still counts as "at the bottom". */
    bottomThreshold: { type: Number, value: 80 },
    maxLength: { type: Number, value: 1000 },
    /** Append your sent text as a `sending` message before emitting `send`. */
    appendOnSend: { type: Boolean, value: true },
    /** How long (ms) the blank-message hint stays. */
    hintDuration: { type: Number, value: 2000 },
  },
  data: {
    chunkIds: [] as string[],
    chunks: {} as Record<string, unknown>,
    intoView: '',
    anchorPrefix: '',
    unread: 0,
    unreadText: '',
    hint: '',
    draft: '',
    keyboardHeight: 0,
    loadingHistory: false,
    /** A message is streaming: the send button becomes a stop button. */
    streaming: false,
    labels: emptyLabels(),
  },
  observers: {
    'self, locale, timeGap'(this: WechatMiniprogram.Component.TrivialInstance) {
      const st = states.get(this);
      if (!st || !st.attached) return;
      st.store.setOptions(viewOptions(this.data as never));
      this._schedule();
    },
    'locale, placeholder, sendText'(this: WechatMiniprogram.Component.TrivialInstance) {
      const st = states.get(this);
      if (st && st.attached) this._refreshLabels();
    },
    messages(this: WechatMiniprogram.Component.TrivialInstance, list: unknown) {
      const st = states.get(this);
      if (st && st.attached && list !== st.loadedList) this._loadProperty(list);
    },
    windowSize(this: WechatMiniprogram.Component.TrivialInstance, size: number) {
      const st = states.get(this);
      if (st) st.win.maxChunks = maxChunks(size);
    },
  },
  lifetimes: {
    attached() {
      const st: PanelState = {
        store: new ChatStore(CHUNK_SIZE, viewOptions(this.data)),
        win: new RenderWindow(maxChunks(this.data.windowSize)),
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
      states.set(this, st);
      instances += 1;
      this.setData({ anchorPrefix: `hkc${instances}-`, labels: this._labels() });
      if (this.data.messages && this.data.messages.length) this._loadProperty(this.data.messages);
    },
    ready() {
      this._measureViewport();
    },
    detached() {
      const st = states.get(this);
      if (!st) return;
      cancel(st.timer);
      cancel(st.hintTimer);
      st.attached = false;
      states.delete(this);
    },
  },
  pageLifetimes: {
    /** While the page is hidden nothing is rendered; changes wait and go out in one update on show. */
    hide() {
      const st = states.get(this);
      if (st) st.hidden = true;
    },
    show() {
      const st = states.get(this);
      if (!st) return;
      st.hidden = false;
      this.flush();
    },
  },
  methods: {
    // ---- public API ------------------------------------------------------------------------

    /** Adds one message after the newest. Throws HybridError BAD_REQUEST (and adds nothing) on bad input. */
    appendMessage(message: ChatMessage): void {
      this.appendMessages([message]);
    },

    /** Adds messages (oldest first) after the newest, as one unit: one bad entry and none is added. */
    appendMessages(messages: ChatMessage[]): void {
      const st = this._state();
      const list = normalizeList(messages, (id) => st.store.has(id));
      if (!list.length) return;
      st.store.append(list);
      st.grew = true;
      const self = this.data.self || 'me';
      for (const msg of list) {
        st.streams.note(msg);
        if (msg.role === self) {
          st.toBottom = true; // your own message always brings you down
          st.unread = 0;
        } else if (!st.toBottom && !(st.atBottom && st.win.live)) st.unread += 1;
      }
      this._schedule();
    },

    /** Adds older messages (oldest first) above the oldest one, keeping the reader's position. */
    prependHistory(messages: ChatMessage[], hasMore?: boolean): void {
      const st = this._state();
      const list = normalizeList(messages, (id) => st.store.has(id), 'history');
      const wasEmpty = st.store.size === 0;
      const firstBefore = st.renderer.renderedRows ? this._firstRenderedId() : '';
      st.win.shift(st.store.prepend(list));
      list.forEach((m) => st.streams.note(m));
      if (wasEmpty) {
        st.win.toBottom(st.store.chunks.length); // a first page of history opens at its newest message
        st.toBottom = true;
      }
      else if (st.awaitingHistory && list.length && st.win.pageUp()) st.anchorId = firstBefore;
      if (st.awaitingHistory) {
        st.awaitingHistory = false;
        st.extra.loadingHistory = false;
      }
      if (hasMore !== undefined) st.extra.hasMore = !!hasMore;
      this._schedule();
    },

    /** Changes `status` and/or `content` of a message. Unknown id or bad fields → HybridError BAD_REQUEST. */
    updateMessage(id: string, patch: { status?: PanelMessage['status']; content?: unknown }): void {
      const st = this._state();
      const msg = st.store.get(String(id));
      if (!msg) throw unknownId(id, 'updateMessage');
      st.store.update(msg.id, normalizePatch(msg.id, msg.type || 'text', patch));
      st.streams.note(msg);
      this._schedule();
    },

    /**
     * Adds a piece of text at the end of a `streaming` message (a text or Markdown reply arriving
     * piece by piece). Pieces are joined until the next flush; the view receives only the new text.
     * Unknown id, a message that is not streaming, or text that is not a string → HybridError BAD_REQUEST.
     */
    appendDelta(id: string, text: string): void {
      const st = this._state();
      const msg = st.store.get(String(id));
      checkDelta(msg, id, text);
      if (!text) return;
      st.store.appendDelta(msg!.id, text);
      st.grew = true; // follows the growing reply when the reader is at the bottom
      this._schedule();
    },

    /** Removes a message. Unknown id → HybridError BAD_REQUEST. Returns the removed message. */
    removeMessage(id: string): PanelMessage {
      const st = this._state();
      const removed = st.store.remove(String(id));
      if (!removed) throw unknownId(id, 'removeMessage');
      st.streams.drop(removed.id);
      this._schedule();
      return removed;
    },

    /** Empties the conversation (one small update). */
    clear(): void {
      this._reset();
      this._send({ chunkIds: [], chunks: {}, unread: 0, unreadText: '' });
    },

    _reset() {
      const st = this._state();
      st.store.clear();
      st.streams.clear();
      st.win.reset();
      st.renderer.reset();
      st.unread = 0;
      st.grew = false;
      st.anchorId = '';
      cancel(st.timer);
      st.timer = undefined;
    },

    /** Copies of every message, oldest first. */
    getMessages(): PanelMessage[] {
      return this._state().store.list();
    },

    getMessage(id: string): PanelMessage | undefined {
      const msg = this._state().store.get(String(id));
      return msg && { ...msg };
    },

    /** Shows the newest messages and scrolls to the bottom. */
    scrollToBottom(): void {
      const st = this._state();
      st.toBottom = true;
      st.unread = 0;
      this._schedule();
    },

    /** Renders pending changes now instead of at the next throttled tick. */
    flush(): void {
      const st = states.get(this);
      if (!st) return;
      cancel(st.timer);
      st.timer = undefined;
      if (st.hidden) return;
      const chunkCount = st.store.chunks.length;
      if (st.toBottom && !st.win.live) st.win.toBottom(chunkCount);
      if (st.grew || st.toBottom) st.win.grow(chunkCount, st.atBottom || st.toBottom);
      // Plain data first, so a reset in it (`chunks: {}`) comes before the rows that follow it.
      const patch: Patch = { ...st.extra, ...st.renderer.diff(st.store, st.win) };
      st.extra = {};
      const follow = st.toBottom || (st.grew && st.atBottom && st.win.live);
      if (follow) {
        st.sentinelFlip = !st.sentinelFlip;
        patch.intoView = this.data.anchorPrefix + (st.sentinelFlip ? 'end-a' : 'end-b');
        st.atBottom = true;
      } else if (st.anchorId) patch.intoView = this.data.anchorPrefix + st.anchorId;
      if (st.streams.any !== this.data.streaming) patch.streaming = st.streams.any;
      if (st.unread !== this.data.unread) {
        patch.unread = st.unread;
        patch.unreadText = st.unread ? newMessagesText(this.data.labels, st.unread) : '';
      }
      st.toBottom = st.grew = false;
      st.anchorId = '';
      st.lastFlush = Date.now();
      if (Object.keys(patch).length) this.setData(patch);
    },

    // ---- view events -----------------------------------------------------------------------

    onScroll(e: WechatMiniprogram.ScrollViewScroll) {
      const st = this._state();
      const { scrollTop, scrollHeight } = e.detail;
      if (typeof scrollTop !== 'number' || typeof scrollHeight !== 'number') return; // not a real scroll report
      st.atBottom = scrollHeight - scrollTop - st.viewportHeight <= this.data.bottomThreshold;
      if (st.atBottom && st.win.live && st.unread) this._clearUnread();
    },

    onReachTop() {
      const st = this._state();
      const firstShown = this._firstRenderedId();
      if (st.win.pageUp()) {
        st.anchorId = firstShown; // keeps the message the reader was looking at in place
        this.flush();
      } else if (this.data.hasMore && !st.awaitingHistory && st.store.size) {
        st.awaitingHistory = true;
        this._send({ loadingHistory: true });
        this.triggerEvent('loadhistory', { beforeId: st.store.chunks.length ? this._oldestId() : '' });
      }
    },

    onReachBottom() {
      const st = this._state();
      const lastShown = this._lastRenderedId();
      if (st.win.pageDown(st.store.chunks.length)) {
        st.anchorId = lastShown;
        this.flush();
        return;
      }
      st.atBottom = true;
      if (st.unread) this._clearUnread();
    },

    onChipTap() {
      this.scrollToBottom();
      this.flush();
    },

    onRetryTap(e: WechatMiniprogram.TouchEvent) {
      const id = String(e.currentTarget.dataset.id);
      const msg = this._state().store.get(id);
      if (!msg || msg.status !== 'failed') return;
      this.updateMessage(id, { status: 'sending' });
      this.triggerEvent('retry', { id, message: { ...msg } });
    },

    /** The stop button: every streaming message ends as `sent` with what arrived, and `stop` tells the page to cancel it. */
    onStopTap() {
      const st = this._state();
      for (const id of st.streams.list()) {
        this.updateMessage(id, { status: 'sent' });
        this.triggerEvent('stop', { id, message: this.getMessage(id) });
      }
      this.flush();
    },

    /** A Markdown link: a mini program cannot open any URL, so its address is copied (and `linktap` emitted). */
    onLinkTap(e: WechatMiniprogram.TouchEvent) {
      const url = String(e.currentTarget.dataset.href || '');
      if (!url) return;
      wx.setClipboardData({ data: url });
      this.triggerEvent('linktap', { url });
    },

    /** The copy button of a Markdown code block. */
    onCodeCopy(e: WechatMiniprogram.TouchEvent) {
      const code = String(e.currentTarget.dataset.code || '');
      wx.setClipboardData({ data: code });
      this.triggerEvent('copy', { text: code });
    },

    onImageTap(e: WechatMiniprogram.TouchEvent) {
      const { id, src } = e.currentTarget.dataset as { id: string; src: string };
      this.triggerEvent('imagetap', { id: String(id), url: src });
    },

    /** An image that loads after the scroll makes the content taller: follow it when at the bottom. */
    onImageLoad() {
      const st = this._state();
      if (st.atBottom && st.win.live) this.scrollToBottom();
    },

    onInput(e: WechatMiniprogram.Input) {
      this._state().draft = e.detail.value;
      this.setData({ draft: e.detail.value });
    },

    onConfirm(e: WechatMiniprogram.TextareaConfirm) {
      this._submit(e.detail.value);
    },

    onSendTap() {
      this._submit(this._state().draft);
    },

    onKeyboardHeight(e: WechatMiniprogram.TextareaKeyboardHeightChange) {
      const st = this._state();
      const height = Math.max(0, Math.round(e.detail.height || 0));
      if (height === this.data.keyboardHeight) return;
      st.extra.keyboardHeight = height;
      if (st.atBottom) st.toBottom = true; // keep the newest message above the keyboard
      this.flush();
      this._measureViewport();
    },

    // ---- internals -------------------------------------------------------------------------

    _state(): PanelState {
      const st = states.get(this);
      if (!st) throw new HybridError('BAD_REQUEST', 'chat-panel: the component is not attached');
      return st;
    },

    /** Throttled flush: at most one list update per `flushInterval` ms; bursts coalesce. */
    _schedule() {
      const st = this._state();
      if (st.timer !== undefined || st.hidden) return;
      const wait = Math.max(0, st.lastFlush + this.data.flushInterval - Date.now());
      st.timer = setTimeout(() => this.flush(), wait) as unknown as number;
    },

    /** Sends non-list data together with whatever list change is pending. */
    _send(data: Patch) {
      Object.assign(this._state().extra, data);
      this.flush();
    },

    _submit(raw: unknown) {
      const text = typeof raw === 'string' ? raw.trim() : '';
      if (!text) {
        this._showHint(this.data.labels.emptyHint);
        return;
      }
      const st = this._state();
      st.draft = '';
      st.extra.draft = '';
      st.extra.hint = '';
      let message: PanelMessage | undefined;
      if (this.data.appendOnSend) {
        message = { id: createId('local-'), role: this.data.self || 'me', content: text, type: 'text', time: Date.now(), status: 'sending' };
        this.appendMessage(message);
      }
      this.flush();
      this.triggerEvent('send', { text, message });
    },

    _showHint(hint: string) {
      const st = this._state();
      cancel(st.hintTimer);
      this._send({ hint });
      st.hintTimer = setTimeout(() => {
        if (states.get(this) === st) this._send({ hint: '' });
      }, this.data.hintDuration) as unknown as number;
    },

    _clearUnread() {
      this._state().unread = 0;
      this.flush();
    },

    _labels(): ChatLabels {
      const base = labelsFor(this.data.locale);
      return { ...base, placeholder: this.data.placeholder || base.placeholder, send: this.data.sendText || base.send };
    },

    _refreshLabels() {
      const st = this._state();
      const labels = this._labels();
      st.extra.labels = labels;
      if (st.unread) st.extra.unreadText = newMessagesText(labels, st.unread);
      this.flush();
    },

    /** Loads the `messages` property as the whole conversation; a bad list is refused and reported. */
    _loadProperty(list: unknown) {
      const st = this._state();
      st.loadedList = list;
      let msgs: PanelMessage[];
      try {
        msgs = normalizeList(list, () => false);
      } catch (err) {
        const error = HybridError.from(err, 'BAD_REQUEST');
        console.error(error.message);
        this.triggerEvent('error', error.toJSON());
        return;
      }
      const hadRows = st.renderer.renderedRows > 0;
      this._reset();
      if (hadRows) Object.assign(st.extra, { chunkIds: [], chunks: {} });
      st.store.append(msgs);
      msgs.forEach((m) => st.streams.note(m));
      st.win.toBottom(st.store.chunks.length);
      st.toBottom = true;
      this.flush();
    },

    _measureViewport() {
      const st = states.get(this);
      if (!st) return;
      this.createSelectorQuery()
        .select('.hk-chat__list')
        .boundingClientRect((rect) => {
          const r = rect as WechatMiniprogram.BoundingClientRectCallbackResult | null;
          if (r && states.get(this) === st) st.viewportHeight = r.height || 0;
        })
        .exec();
    },

    _firstRenderedId(): string {
      const st = this._state();
      for (const chunk of st.store.chunks.slice(st.win.start, st.win.end + 1)) if (chunk.entries.length) return chunk.entries[0].msg.id;
      return '';
    },

    _lastRenderedId(): string {
      const st = this._state();
      const chunks = st.store.chunks.slice(st.win.start, st.win.end + 1).reverse();
      for (const chunk of chunks) if (chunk.entries.length) return chunk.entries[chunk.entries.length - 1].msg.id;
      return '';
    },

    _oldestId(): string {
      for (const chunk of this._state().store.chunks) if (chunk.entries.length) return chunk.entries[0].msg.id;
      return '';
    },
  },
});
