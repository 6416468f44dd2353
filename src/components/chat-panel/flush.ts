/**
 * Throttled list updates: the store's changes, the render window and the scroll target become one
 * setData by data path, at most one per `flushInterval` ms (bursts coalesce).
 */
import { newMessagesText } from './labels';
import { PanelHost, PanelState, cancel, stateIfAttached, stateOf } from './panel-state';
import { Patch } from './render';

/** Where the list scrolls at this flush: the bottom sentinel (following) or the anchored message. */
function addScrollTarget(host: PanelHost, st: PanelState, patch: Patch): void {
  const follow = st.toBottom || (st.grew && st.atBottom && st.win.live);
  if (follow) {
    st.sentinelFlip = !st.sentinelFlip;
    patch.intoView = host.data.anchorPrefix + (st.sentinelFlip ? 'end-a' : 'end-b');
    st.atBottom = true;
  } else if (st.anchorId) patch.intoView = host.data.anchorPrefix + st.anchorId;
}

/** The stop button and the new-messages chip, when they changed. */
function addBarState(host: PanelHost, st: PanelState, patch: Patch): void {
  if (st.streams.any !== host.data.streaming) patch.streaming = st.streams.any;
  if (st.unread !== host.data.unread) {
    patch.unread = st.unread;
    patch.unreadText = st.unread ? newMessagesText(host.data.labels, st.unread) : '';
  }
}

/** Renders pending changes now (nothing while the page is hidden or the panel detached). */
export function flushPanel(host: PanelHost): void {
  const st = stateIfAttached(host);
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
  addScrollTarget(host, st, patch);
  addBarState(host, st, patch);
  st.toBottom = st.grew = false;
  st.anchorId = '';
  st.lastFlush = Date.now();
  if (Object.keys(patch).length) host.setData(patch);
}

/** Throttled flush: at most one list update per `flushInterval` ms; bursts coalesce. */
export function scheduleFlush(host: PanelHost): void {
  const st = stateOf(host);
  if (st.timer !== undefined || st.hidden) return;
  const wait = Math.max(0, st.lastFlush + host.data.flushInterval - Date.now());
  st.timer = setTimeout(() => host.flush(), wait) as unknown as number;
}

/** Sends non-list data together with whatever list change is pending. */
export function sendNow(host: PanelHost, data: Patch): void {
  Object.assign(stateOf(host).extra, data);
  flushPanel(host);
}
