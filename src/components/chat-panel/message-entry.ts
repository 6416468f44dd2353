/**
 * One message as the store keeps it: the message, the row the view renders (MessageView), and for a
 * streaming text or a Markdown message the model its `parts` come from.
 */
import { getMarkdownFactory, PartsModel, TextParts } from './parts';
import { formatTime, startsTimeGroup } from './time';
import { MessageView, PanelMessage, Side } from './types';

export interface ViewOptions {
  /** The role drawn on the right. */
  self: string;
  locale: string;
  /** Gap (ms) after which a new time line is shown. */
  timeGapMs: number;
}

export interface Entry {
  msg: PanelMessage;
  view: MessageView;
  /** A streaming text or a Markdown message: its content is rendered from `view.parts`. */
  model?: PartsModel;
}

function sideOf(role: string, self: string): Side {
  if (role === self) return 'self';
  return role === 'system' ? 'system' : 'other';
}

/** The row of `msg`; `prevTime` is the time of the message above it (for the time line). */
export function viewOf(msg: PanelMessage, prevTime: number | undefined, opts: ViewOptions): MessageView {
  const view: MessageView = { id: msg.id, side: sideOf(msg.role, opts.self), type: msg.type || 'text', content: msg.content };
  if (msg.status) view.status = msg.status;
  if (msg.avatar) view.avatar = msg.avatar;
  if (msg.name) view.name = msg.name;
  if (msg.time !== undefined && startsTimeGroup(prevTime, msg.time, opts.timeGapMs)) {
    view.timeText = formatTime(msg.time, opts.locale);
  }
  return view;
}

/** The view of a modelled message: its parts, not its content (sent once, not twice). */
export function showModel(entry: Entry): void {
  entry.view.content = '';
  entry.view.parts = entry.model!.parts;
}

export function makeEntry(msg: PanelMessage, prevTime: number | undefined, opts: ViewOptions): Entry {
  const entry: Entry = { msg, view: viewOf(msg, prevTime, opts) };
  const markdown = msg.type === 'markdown' ? getMarkdownFactory() : undefined;
  if (markdown) {
    entry.model = markdown(String(msg.content));
    if (msg.status !== 'streaming') entry.model.finish();
  } else if (msg.status === 'streaming' && typeof msg.content === 'string') entry.model = new TextParts(msg.content);
  if (entry.model) {
    entry.model.take(); // a new row is sent whole
    showModel(entry);
  }
  return entry;
}
