/**
 * Where the reader is: scroll reports, paging the render window at the top and bottom, asking for
 * history, the new-messages chip, the keyboard, and the list's height.
 */
import { firstRenderedId, lastRenderedId, oldestId } from './conversation';
import { flushPanel, scheduleFlush, sendNow } from './flush';
import { PanelHost, stateIfAttached, stateOf } from './panel-state';

/** Shows the newest messages and scrolls to the bottom (at the next flush). */
export function scrollToBottom(host: PanelHost): void {
  const st = stateOf(host);
  st.toBottom = true;
  st.unread = 0;
  scheduleFlush(host);
}

function clearUnread(host: PanelHost): void {
  stateOf(host).unread = 0;
  flushPanel(host);
}

export function onScroll(host: PanelHost, detail: { scrollTop?: unknown; scrollHeight?: unknown }): void {
  const st = stateOf(host);
  const { scrollTop, scrollHeight } = detail;
  if (typeof scrollTop !== 'number' || typeof scrollHeight !== 'number') return; // not a real scroll report
  st.atBottom = scrollHeight - scrollTop - st.viewportHeight <= host.data.bottomThreshold;
  if (st.atBottom && st.win.live && st.unread) clearUnread(host);
}

/** One chunk more above, or (all shown) a `loadhistory` request when there is more. */
export function onReachTop(host: PanelHost): void {
  const st = stateOf(host);
  const firstShown = firstRenderedId(st);
  if (st.win.pageUp()) {
    st.anchorId = firstShown; // keeps the message the reader was looking at in place
    flushPanel(host);
  } else if (host.data.hasMore && !st.awaitingHistory && st.store.size) {
    st.awaitingHistory = true;
    sendNow(host, { loadingHistory: true });
    host.triggerEvent('loadhistory', { beforeId: st.store.chunks.length ? oldestId(st) : '' });
  }
}

export function onReachBottom(host: PanelHost): void {
  const st = stateOf(host);
  const lastShown = lastRenderedId(st);
  if (st.win.pageDown(st.store.chunks.length)) {
    st.anchorId = lastShown;
    flushPanel(host);
    return;
  }
  st.atBottom = true;
  if (st.unread) clearUnread(host);
}

/** An image that loads after the scroll makes the content taller: follow it when at the bottom. */
export function onImageLoad(host: PanelHost): void {
  const st = stateOf(host);
  if (st.atBottom && st.win.live) scrollToBottom(host);
}

/** Measures the list's height (what "at the bottom" is computed from). */
export function measureViewport(host: PanelHost): void {
  const st = stateIfAttached(host);
  if (!st) return;
  host
    .createSelectorQuery()
    .select('.hk-chat__list')
    .boundingClientRect((rect) => {
      const r = rect as WechatMiniprogram.BoundingClientRectCallbackResult | null;
      if (r && stateIfAttached(host) === st) st.viewportHeight = r.height || 0;
    })
    .exec();
}

/** The keyboard moved the bar: keep the newest message above it when the reader was at the bottom. */
export function onKeyboardHeight(host: PanelHost, rawHeight: number | undefined): void {
  const st = stateOf(host);
  const height = Math.max(0, Math.round(rawHeight || 0));
  if (height === host.data.keyboardHeight) return;
  st.extra.keyboardHeight = height;
  if (st.atBottom) st.toBottom = true;
  flushPanel(host);
  measureViewport(host);
}
