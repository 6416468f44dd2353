/**
 * chat-panel: a message list that owns its data (updated by data path, rendered through a bounded
 * window of chunks) plus an input bar. Pages drive it through the instance methods
 * (`selectComponent('#chat').appendMessage(...)`) and listen to `send`, `retry`, `loadhistory`.
 *
 * This file only wires the component; each job is a module of plain functions over the instance:
 * conversation.ts (the message methods), flush.ts (throttled setData), scrolling.ts (where the
 * reader is), input-bar.ts (the bar), panel-state.ts (the state kept outside setData).
 */
import * as conversation from './conversation';
import { flushPanel, scheduleFlush } from './flush';
import * as bar from './input-bar';
import { labelsFor } from './labels';
import { attachState, detachState, maxChunks, PanelHost, stateIfAttached, stateOf, viewOptions } from './panel-state';
import * as scrolling from './scrolling';
import { ChatMessage, MessagePatch, PanelMessage } from './types';

let instances = 0;

function emptyLabels() {
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
    'self, locale, timeGap'(this: PanelHost) {
      const st = stateIfAttached(this);
      if (!st || !st.attached) return;
      st.store.setOptions(viewOptions(this.data));
      scheduleFlush(this);
    },
    'locale, placeholder, sendText'(this: PanelHost) {
      const st = stateIfAttached(this);
      if (st && st.attached) bar.refreshLabels(this);
    },
    messages(this: PanelHost, list: unknown) {
      const st = stateIfAttached(this);
      if (st && st.attached && list !== st.loadedList) conversation.loadConversation(this, list);
    },
    windowSize(this: PanelHost, size: number) {
      const st = stateIfAttached(this);
      if (st) st.win.maxChunks = maxChunks(size);
    },
  },
  lifetimes: {
    attached() {
      attachState(this, this.data);
      instances += 1;
      this.setData({ anchorPrefix: `hkc${instances}-`, labels: bar.panelLabels(this.data) });
      if (this.data.messages && this.data.messages.length) conversation.loadConversation(this, this.data.messages);
    },
    ready() {
      scrolling.measureViewport(this);
    },
    detached() {
      detachState(this);
    },
  },
  pageLifetimes: {
    /** While the page is hidden nothing is rendered; changes wait and go out in one update on show. */
    hide() {
      const st = stateIfAttached(this);
      if (st) st.hidden = true;
    },
    show() {
      const st = stateIfAttached(this);
      if (!st) return;
      st.hidden = false;
      flushPanel(this);
    },
  },
  methods: {
    // ---- public API (ChatPanelMethods in instance.ts) ----------------------------------------

    /** Adds one message after the newest. Throws HybridError BAD_REQUEST (and adds nothing) on bad input. */
    appendMessage(message: ChatMessage): void {
      conversation.appendMessages(this, [message]);
    },

    /** Adds messages (oldest first) after the newest, as one unit: one bad entry and none is added. */
    appendMessages(messages: ChatMessage[]): void {
      conversation.appendMessages(this, messages);
    },

    /** Adds older messages (oldest first) above the oldest one, keeping the reader's position. */
    prependHistory(messages: ChatMessage[], hasMore?: boolean): void {
      conversation.prependHistory(this, messages, hasMore);
    },

    /** Changes `status` and/or `content` of a message. Unknown id or bad fields → HybridError BAD_REQUEST. */
    updateMessage(id: string, patch: MessagePatch): void {
      conversation.updateMessage(this, id, patch);
    },

    /**
     * Adds a piece of text at the end of a `streaming` message (a text or Markdown reply arriving
     * piece by piece). Pieces are joined until the next flush; the view receives only the new text.
     * Unknown id, a message that is not streaming, or text that is not a string → HybridError BAD_REQUEST.
     */
    appendDelta(id: string, text: string): void {
      conversation.appendDelta(this, id, text);
    },

    /** Removes a message. Unknown id → HybridError BAD_REQUEST. Returns the removed message. */
    removeMessage(id: string): PanelMessage {
      return conversation.removeMessage(this, id);
    },

    /** Empties the conversation (one small update). */
    clear(): void {
      conversation.clearPanel(this);
    },

    /** Copies of every message, oldest first. */
    getMessages(): PanelMessage[] {
      return stateOf(this).store.list();
    },

    getMessage(id: string): PanelMessage | undefined {
      const msg = stateOf(this).store.get(String(id));
      return msg && { ...msg };
    },

    /** Shows the newest messages and scrolls to the bottom. */
    scrollToBottom(): void {
      scrolling.scrollToBottom(this);
    },

    /** Renders pending changes now instead of at the next throttled tick. */
    flush(): void {
      flushPanel(this);
    },

    // ---- view events -------------------------------------------------------------------------

    onScroll(e: WechatMiniprogram.ScrollViewScroll) {
      scrolling.onScroll(this, e.detail);
    },

    onReachTop() {
      scrolling.onReachTop(this);
    },

    onReachBottom() {
      scrolling.onReachBottom(this);
    },

    onChipTap() {
      scrolling.scrollToBottom(this);
      flushPanel(this);
    },

    onRetryTap(e: WechatMiniprogram.TouchEvent) {
      conversation.retryMessage(this, String(e.currentTarget.dataset.id));
    },

    onStopTap() {
      conversation.stopStreams(this);
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

    onImageLoad() {
      scrolling.onImageLoad(this);
    },

    onInput(e: WechatMiniprogram.Input) {
      bar.setDraft(this, e.detail.value);
    },

    onConfirm(e: WechatMiniprogram.TextareaConfirm) {
      bar.submit(this, e.detail.value);
    },

    onSendTap() {
      bar.submitDraft(this);
    },

    onKeyboardHeight(e: WechatMiniprogram.TextareaKeyboardHeightChange) {
      scrolling.onKeyboardHeight(this, e.detail.height);
    },
  },
});
