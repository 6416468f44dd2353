/**
 * The input bar: the draft, sending (blank text refused with a hint that goes away), and the
 * strings of the bar in the panel's locale.
 */
import { createId } from '../../core/bytes';
import { appendMessages } from './conversation';
import { flushPanel, sendNow } from './flush';
import { ChatLabels, labelsFor, newMessagesText } from './labels';
import { PanelData, PanelHost, cancel, stateIfAttached, stateOf } from './panel-state';
import { PanelMessage } from './types';

/** The locale's strings with the `placeholder` and `sendText` properties over them. */
export function panelLabels(data: Pick<PanelData, 'locale' | 'placeholder' | 'sendText'>): ChatLabels {
  const base = labelsFor(data.locale);
  return { ...base, placeholder: data.placeholder || base.placeholder, send: data.sendText || base.send };
}

export function refreshLabels(host: PanelHost): void {
  const st = stateOf(host);
  const labels = panelLabels(host.data);
  st.extra.labels = labels;
  if (st.unread) st.extra.unreadText = newMessagesText(labels, st.unread);
  flushPanel(host);
}

export function setDraft(host: PanelHost, value: string): void {
  stateOf(host).draft = value;
  host.setData({ draft: value });
}

function showHint(host: PanelHost, hint: string): void {
  const st = stateOf(host);
  cancel(st.hintTimer);
  sendNow(host, { hint });
  st.hintTimer = setTimeout(() => {
    if (stateIfAttached(host) === st) sendNow(host, { hint: '' });
  }, host.data.hintDuration) as unknown as number;
}

/** Sends the text (the draft when none is given): `send` event, and a `sending` message when appendOnSend. */
export function submit(host: PanelHost, raw?: unknown): void {
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (!text) {
    showHint(host, host.data.labels.emptyHint);
    return;
  }
  const st = stateOf(host);
  st.draft = '';
  st.extra.draft = '';
  st.extra.hint = '';
  let message: PanelMessage | undefined;
  if (host.data.appendOnSend) {
    message = { id: createId('local-'), role: host.data.self || 'me', content: text, type: 'text', time: Date.now(), status: 'sending' };
    appendMessages(host, [message]);
  }
  flushPanel(host);
  host.triggerEvent('send', { text, message });
}

/** The send button: the draft as typed so far. */
export function submitDraft(host: PanelHost): void {
  submit(host, stateOf(host).draft);
}
