/**
 * The public message methods of chat-panel (append, history, update, stream, remove, load): each
 * validates first (one bad entry and nothing changes), edits the store and schedules a flush.
 */
import { HybridError } from '../../core/errors';
import { flushPanel, scheduleFlush, sendNow } from './flush';
import { PanelHost, PanelState, cancel, stateOf } from './panel-state';
import { checkDelta } from './streaming';
import { ChatMessage, MessagePatch, PanelMessage } from './types';
import { normalizeList, normalizePatch, unknownId } from './validate';

/** Id of the first message of the chunks in the window ('' when they hold none). */
export function firstRenderedId(st: PanelState): string {
  for (const chunk of st.store.chunks.slice(st.win.start, st.win.end + 1)) if (chunk.entries.length) return chunk.entries[0].msg.id;
  return '';
}

/** Id of the last message of the chunks in the window ('' when they hold none). */
export function lastRenderedId(st: PanelState): string {
  const chunks = st.store.chunks.slice(st.win.start, st.win.end + 1).reverse();
  for (const chunk of chunks) if (chunk.entries.length) return chunk.entries[chunk.entries.length - 1].msg.id;
  return '';
}

export function oldestId(st: PanelState): string {
  for (const chunk of st.store.chunks) if (chunk.entries.length) return chunk.entries[0].msg.id;
  return '';
}

/** Adds messages (oldest first) after the newest, as one unit: one bad entry and none is added. */
export function appendMessages(host: PanelHost, messages: ChatMessage[]): void {
  const st = stateOf(host);
  const list = normalizeList(messages, (id) => st.store.has(id));
  if (!list.length) return;
  st.store.append(list);
  st.grew = true;
  const self = host.data.self || 'me';
  for (const msg of list) {
    st.streams.note(msg);
    if (msg.role === self) {
      st.toBottom = true; // your own message always brings you down
      st.unread = 0;
    } else if (!st.toBottom && !(st.atBottom && st.win.live)) st.unread += 1;
  }
  scheduleFlush(host);
}

/** Adds older messages (oldest first) above the oldest one, keeping the reader's position. */
export function prependHistory(host: PanelHost, messages: ChatMessage[], hasMore?: boolean): void {
  const st = stateOf(host);
  const list = normalizeList(messages, (id) => st.store.has(id), 'history');
  const wasEmpty = st.store.size === 0;
  const firstBefore = st.renderer.renderedRows ? firstRenderedId(st) : '';
  st.win.shift(st.store.prepend(list));
  list.forEach((m) => st.streams.note(m));
  if (wasEmpty) {
    st.win.toBottom(st.store.chunks.length); // a first page of history opens at its newest message
    st.toBottom = true;
  } else if (st.awaitingHistory && list.length && st.win.pageUp()) st.anchorId = firstBefore;
  if (st.awaitingHistory) {
    st.awaitingHistory = false;
    st.extra.loadingHistory = false;
  }
  if (hasMore !== undefined) st.extra.hasMore = !!hasMore;
  scheduleFlush(host);
}

/** Changes `status` and/or `content` of a message. Unknown id or bad fields → HybridError BAD_REQUEST. */
export function updateMessage(host: PanelHost, id: string, patch: MessagePatch): void {
  const st = stateOf(host);
  const msg = st.store.get(String(id));
  if (!msg) throw unknownId(id, 'updateMessage');
  st.store.update(msg.id, normalizePatch(msg.id, msg.type || 'text', patch));
  st.streams.note(msg);
  scheduleFlush(host);
}

/** Adds a piece of text at the end of a `streaming` message (checked by checkDelta). */
export function appendDelta(host: PanelHost, id: string, text: string): void {
  const st = stateOf(host);
  const msg = st.store.get(String(id));
  checkDelta(msg, id, text);
  if (!text) return;
  st.store.appendDelta(msg!.id, text);
  st.grew = true; // follows the growing reply when the reader is at the bottom
  scheduleFlush(host);
}

/** Removes a message. Unknown id → HybridError BAD_REQUEST. Returns the removed message. */
export function removeMessage(host: PanelHost, id: string): PanelMessage {
  const st = stateOf(host);
  const removed = st.store.remove(String(id));
  if (!removed) throw unknownId(id, 'removeMessage');
  st.streams.drop(removed.id);
  scheduleFlush(host);
  return removed;
}

/** Forgets every message and what the view holds (the caller sends the emptied list). */
export function resetPanel(st: PanelState): void {
  st.store.clear();
  st.streams.clear();
  st.win.reset();
  st.renderer.reset();
  st.unread = 0;
  st.grew = false;
  st.anchorId = '';
  cancel(st.timer);
  st.timer = undefined;
}

/** Empties the conversation (one small update). */
export function clearPanel(host: PanelHost): void {
  resetPanel(stateOf(host));
  sendNow(host, { chunkIds: [], chunks: {}, unread: 0, unreadText: '' });
}

/** Loads the `messages` property as the whole conversation; a bad list is refused and reported. */
export function loadConversation(host: PanelHost, list: unknown): void {
  const st = stateOf(host);
  st.loadedList = list;
  let msgs: PanelMessage[];
  try {
    msgs = normalizeList(list, () => false);
  } catch (err) {
    const error = HybridError.from(err, 'BAD_REQUEST');
    console.error(error.message);
    host.triggerEvent('error', error.toJSON());
    return;
  }
  const hadRows = st.renderer.renderedRows > 0;
  resetPanel(st);
  if (hadRows) Object.assign(st.extra, { chunkIds: [], chunks: {} });
  st.store.append(msgs);
  msgs.forEach((m) => st.streams.note(m));
  st.win.toBottom(st.store.chunks.length);
  st.toBottom = true;
  flushPanel(host);
}

/** The retry button of a failed message: it becomes `sending` again and `retry` tells the page. */
export function retryMessage(host: PanelHost, id: string): void {
  const msg = stateOf(host).store.get(id);
  if (!msg || msg.status !== 'failed') return;
  updateMessage(host, id, { status: 'sending' });
  host.triggerEvent('retry', { id, message: { ...msg } });
}

/** The stop button: every streaming message ends as `sent` with what arrived, and `stop` tells the page to cancel it. */
export function stopStreams(host: PanelHost): void {
  const st = stateOf(host);
  for (const id of st.streams.list()) {
    updateMessage(host, id, { status: 'sent' });
    const msg = st.store.get(id);
    host.triggerEvent('stop', { id, message: msg && { ...msg } });
  }
  flushPanel(host);
}
