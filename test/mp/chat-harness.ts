/**
 * Shared by the chat-panel tests: loads the BUILT component once per test file (jest gives each
 * file its own module registry), mounts instances with setData metered, and pokes the view.
 */
import { loadComponent, render, Rendered } from '../helpers/mp-dist';
import { installMiniProgramGlobals } from '../helpers/mp-globals';
import { isHybridError } from '../../miniprogram_dist/core/errors';
import { meterSetData, SetDataMeter } from '../../tools/lib/setdata-meter';
// The tests build messages as the panel keeps them (string ids, time in ms).
import type { PanelMessage as ChatMessage } from '../../miniprogram_dist/components/chat-panel/types';

export const simulate = installMiniProgramGlobals();
export type { ChatMessage };

const tagId = loadComponent('components/chat-panel/index', 'chat-panel');

/** The instance methods a page calls. */
export interface ChatPanel {
  appendMessage(m: unknown): void;
  appendMessages(list: unknown): void;
  prependHistory(list: unknown, hasMore?: boolean): void;
  updateMessage(id: string, patch: unknown): void;
  appendDelta(id: string, text: unknown): void;
  removeMessage(id: string): ChatMessage;
  clear(): void;
  getMessages(): ChatMessage[];
  getMessage(id: string): ChatMessage | undefined;
  scrollToBottom(): void;
  flush(): void;
  data: Record<string, any>;
  setData(data: Record<string, unknown>): void;
}

export type Comp = Rendered;

export interface Mounted {
  comp: Comp;
  panel: ChatPanel;
  meter: SetDataMeter;
  events: { name: string; detail: any }[];
}

const EVENTS = ['send', 'retry', 'loadhistory', 'imagetap', 'error', 'stop', 'linktap', 'copy'];

/** Renders and attaches a panel; setData is metered from before `attached`, events are recorded. */
export function mount(props: Record<string, unknown> = {}): Mounted {
  const comp = render(tagId, { flushInterval: 10, ...props });
  const panel = comp.instance as unknown as ChatPanel;
  const meter = meterSetData(panel as never);
  const events: Mounted['events'] = [];
  EVENTS.forEach((name) => comp.addEventListener(name, (e) => events.push({ name, detail: e.detail })));
  comp.attach(document.createElement('parent-wrapper'));
  return { comp, panel, meter, events };
}

let seq = 0;
/** A text message like the old chat page's, with a unique id. */
export function msg(overrides: Partial<ChatMessage> = {}): ChatMessage {
  seq += 1;
  return { id: 'm' + seq, role: 'server', content: '你好，这是第 ' + seq + ' 条消息', ...overrides };
}

export function many(n: number, overrides: Partial<ChatMessage> = {}): ChatMessage[] {
  return Array.from({ length: n }, () => msg(overrides));
}

/** Rendered rows, in order, as `{ id, side, text }` (id without the instance prefix). */
export function rows(comp: Comp): { id: string; side: string; text: string }[] {
  const prefix: string = (comp.instance as any).data.anchorPrefix;
  return comp.querySelectorAll('.hk-chat__row').map((r: any) => {
    const cls: string = r.dom.className;
    const side = /row--self/.test(cls) ? 'self' : /row--system/.test(cls) ? 'system' : 'other';
    return { id: String(r._exparserNode.id).slice(prefix.length), side, text: (r.dom.textContent || '').trim() };
  });
}

export function rowIds(comp: Comp): string[] {
  return rows(comp).map((r) => r.id);
}

/** Element count of the rendered component (the audit's node budget). */
export function nodeCount(comp: Comp): number {
  return comp.dom!.querySelectorAll('*').length;
}

/** Fires an event on the first element matching `selector` and lets the (async) dispatch run. */
export async function fire(comp: Comp, selector: string, event: string, detail: Record<string, unknown> = {}): Promise<void> {
  const el = comp.querySelector(selector);
  if (!el) throw new Error('no element ' + selector);
  el.dispatchEvent(event, { detail });
  await simulate.sleep(0);
}

/** The reader scrolls up, away from the bottom. */
export const scrollUp = (comp: Comp) => fire(comp, '.hk-chat__list', 'scroll', { scrollTop: 0, scrollHeight: 5000 });
/** The reader scrolls back to the bottom. */
export const scrollDown = (comp: Comp) => fire(comp, '.hk-chat__list', 'scroll', { scrollTop: 5000, scrollHeight: 5000 });

export function bytesOf(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/** Runs `fn`, expects a HybridError BAD_REQUEST whose message matches `text`. */
export function expectBadRequest(fn: () => unknown, text: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(isHybridError(thrown, 'BAD_REQUEST')).toBe(true);
  expect((thrown as Error).message).toMatch(text);
}
