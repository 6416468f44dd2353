/**
 * The panel's whole conversation, outside setData: messages in fixed-size chunks (the unit the
 * view renders and pages), an id index, and what changed since the last render.
 */
import { getMarkdownFactory, PartsModel, TextParts } from './parts';
import { formatTime, startsTimeGroup } from './time';
import { PanelMessage, MessagePatch, MessageView, Side, ViewField } from './types';

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

/** What changed since the last render. `parts`: per message id, the first part the view lacks. */
export interface StoreChanges {
  chunks: Record<string, true>;
  fields: Record<string, Partial<Record<ViewField, true>>>;
  parts: Record<string, number>;
}

export interface Chunk {
  key: string;
  entries: Entry[];
}

function sideOf(role: string, self: string): Side {
  if (role === self) return 'self';
  return role === 'system' ? 'system' : 'other';
}

export class ChatStore {
  /** Oldest first. Chunks never move or disappear (an emptied chunk stays, renders nothing) until clear(). */
  readonly chunks: Chunk[] = [];
  private byId: Record<string, Chunk> = Object.create(null);
  private count = 0;
  private nextKey = 0;
  /** Chunks whose rendered copy must be replaced as a whole (a removal shifted their rows). */
  private dirtyChunks: Record<string, true> = Object.create(null);
  /** Rendered fields that changed, per message id. */
  private dirtyFields: Record<string, Partial<Record<ViewField, true>>> = Object.create(null);
  /** Entries whose content model changed (streamed text, a status that ends a stream). */
  private dirtyModels: Record<string, Entry> = Object.create(null);

  constructor(
    private readonly chunkSize: number,
    private opts: ViewOptions,
  ) {}

  get size(): number {
    return this.count;
  }

  has(id: string): boolean {
    return id in this.byId;
  }

  /** Chunk and row of a message; undefined for an unknown id. */
  locate(id: string): { chunk: Chunk; index: number } | undefined {
    const chunk = this.byId[id];
    if (!chunk) return undefined;
    for (let i = 0; i < chunk.entries.length; i++) if (chunk.entries[i].msg.id === id) return { chunk, index: i };
    return undefined;
  }

  get(id: string): PanelMessage | undefined {
    const at = this.locate(id);
    return at && at.chunk.entries[at.index].msg;
  }

  /** Every message, oldest first (copies, so callers cannot change the store behind its back). */
  list(): PanelMessage[] {
    const out: PanelMessage[] = [];
    this.chunks.forEach((c) => c.entries.forEach((e) => out.push({ ...e.msg })));
    return out;
  }

  last(): PanelMessage | undefined {
    const e = this.entryBefore(this.chunks.length, 0);
    return e && e.msg;
  }

  /** Adds messages (already validated, ids new) after the newest one. */
  append(msgs: PanelMessage[]): void {
    let prev = this.entryBefore(this.chunks.length, 0);
    for (const msg of msgs) {
      let tail = this.chunks[this.chunks.length - 1];
      if (!tail || tail.entries.length >= this.chunkSize) {
        tail = this.newChunk();
        this.chunks.push(tail);
      }
      const entry = this.makeEntry(msg, prev && prev.msg.time);
      tail.entries.push(entry);
      this.byId[msg.id] = tail;
      prev = entry;
    }
    this.count += msgs.length;
  }

  /** Adds older messages (oldest first) before the oldest one; returns how many chunks were added in front. */
  prepend(msgs: PanelMessage[]): number {
    if (!msgs.length) return 0;
    const added: Chunk[] = [];
    let prevTime: number | undefined;
    for (let i = 0; i < msgs.length; i += this.chunkSize) {
      const chunk = this.newChunk();
      for (const msg of msgs.slice(i, i + this.chunkSize)) {
        chunk.entries.push(this.makeEntry(msg, prevTime));
        this.byId[msg.id] = chunk;
        prevTime = msg.time;
      }
      added.push(chunk);
    }
    this.chunks.unshift(...added);
    this.count += msgs.length;
    this.refreshTimeAfter(added.length, 0); // the formerly oldest message now has a predecessor
    return added.length;
  }

  update(id: string, patch: MessagePatch): void {
    const entry = this.entry(id);
    if (!entry) return;
    if (patch.content !== undefined && patch.content !== entry.msg.content) {
      entry.msg.content = patch.content;
      if (entry.model) {
        entry.model.reset(String(patch.content));
        this.dirtyModels[id] = entry;
      } else {
        entry.view.content = patch.content;
        this.markField(id, 'content');
      }
    }
    if (patch.status !== undefined && patch.status !== entry.msg.status) {
      const wasStreaming = entry.msg.status === 'streaming';
      entry.msg.status = entry.view.status = patch.status;
      this.markField(id, 'status');
      if (patch.status === 'streaming') this.startStream(entry);
      else if (wasStreaming) this.endStream(entry);
    }
  }

  /** Adds text at the end of a streaming message (checked by the caller). */
  appendDelta(id: string, text: string): void {
    const entry = this.entry(id);
    if (!entry || !text) return;
    entry.msg.content = String(entry.msg.content) + text;
    if (!entry.model) this.startStream(entry); // cannot happen for a streaming message; kept safe
    else entry.model.append(text);
    this.dirtyModels[id] = entry;
  }

  remove(id: string): PanelMessage | undefined {
    const at = this.locate(id);
    if (!at) return undefined;
    const [entry] = at.chunk.entries.splice(at.index, 1);
    delete this.byId[id];
    delete this.dirtyFields[id];
    delete this.dirtyModels[id];
    this.count--;
    this.dirtyChunks[at.chunk.key] = true;
    this.refreshTimeAfter(this.chunks.indexOf(at.chunk), at.index);
    return entry.msg;
  }

  clear(): void {
    this.chunks.length = 0;
    this.byId = Object.create(null);
    this.count = 0;
    this.dirtyChunks = Object.create(null);
    this.dirtyFields = Object.create(null);
    this.dirtyModels = Object.create(null);
  }

  /** New role/locale/gap: every view is rebuilt and every chunk re-rendered (rare, user-initiated). */
  setOptions(opts: ViewOptions): void {
    this.opts = opts;
    let prevTime: number | undefined;
    for (const chunk of this.chunks) {
      chunk.entries.forEach((e) => {
        e.view = this.viewOf(e.msg, prevTime);
        if (e.model) this.showModel(e);
        prevTime = e.msg.time;
      });
      this.dirtyChunks[chunk.key] = true;
    }
  }

  /** Hands the pending changes to the renderer and forgets them. */
  takeChanges(): StoreChanges {
    const parts: Record<string, number> = Object.create(null);
    for (const id of Object.keys(this.dirtyModels)) {
      const entry = this.dirtyModels[id];
      const change = entry.model && entry.model.take();
      if (!change || !entry.model) continue;
      entry.view.parts = entry.model.parts; // a fold or a reset replaces the array
      if (change.whole) this.markField(id, 'parts');
      else parts[id] = change.from;
    }
    const changes = { chunks: this.dirtyChunks, fields: this.dirtyFields, parts };
    this.dirtyChunks = Object.create(null);
    this.dirtyFields = Object.create(null);
    this.dirtyModels = Object.create(null);
    return changes;
  }

  private entry(id: string): Entry | undefined {
    const at = this.locate(id);
    return at && at.chunk.entries[at.index];
  }

  private makeEntry(msg: PanelMessage, prevTime: number | undefined): Entry {
    const entry: Entry = { msg, view: this.viewOf(msg, prevTime) };
    const markdown = msg.type === 'markdown' ? getMarkdownFactory() : undefined;
    if (markdown) {
      entry.model = markdown(String(msg.content));
      if (msg.status !== 'streaming') entry.model.finish();
    } else if (msg.status === 'streaming' && typeof msg.content === 'string') entry.model = new TextParts(msg.content);
    if (entry.model) {
      entry.model.take(); // a new row is sent whole
      this.showModel(entry);
    }
    return entry;
  }

  /** The view of a modelled message: its parts, not its content (sent once, not twice). */
  private showModel(entry: Entry): void {
    entry.view.content = '';
    entry.view.parts = entry.model!.parts;
  }

  private startStream(entry: Entry): void {
    if (entry.model || typeof entry.msg.content !== 'string') return;
    entry.model = new TextParts(entry.msg.content);
    this.showModel(entry);
    this.markField(entry.msg.id, 'content');
    this.dirtyModels[entry.msg.id] = entry;
  }

  /** A stream ended: Markdown commits its last block; a text folds its parts back into one content. */
  private endStream(entry: Entry): void {
    if (!entry.model) return;
    const id = entry.msg.id;
    if (!(entry.model instanceof TextParts)) {
      entry.model.finish();
      this.dirtyModels[id] = entry;
      return;
    }
    entry.model = undefined;
    entry.view.content = entry.msg.content;
    delete entry.view.parts;
    delete this.dirtyModels[id];
    this.markField(id, 'content');
    this.markField(id, 'parts');
  }

  private newChunk(): Chunk {
    return { key: 'c' + this.nextKey++, entries: [] };
  }

  private viewOf(msg: PanelMessage, prevTime: number | undefined): MessageView {
    const view: MessageView = { id: msg.id, side: sideOf(msg.role, this.opts.self), type: msg.type || 'text', content: msg.content };
    if (msg.status) view.status = msg.status;
    if (msg.avatar) view.avatar = msg.avatar;
    if (msg.name) view.name = msg.name;
    if (msg.time !== undefined && startsTimeGroup(prevTime, msg.time, this.opts.timeGapMs)) {
      view.timeText = formatTime(msg.time, this.opts.locale);
    }
    return view;
  }

  private markField(id: string, field: ViewField): void {
    (this.dirtyFields[id] || (this.dirtyFields[id] = {}))[field] = true;
  }

  /** The entry just before row `index` of chunk `chunkIndex` (skipping emptied chunks). */
  private entryBefore(chunkIndex: number, index: number): Entry | undefined {
    if (index > 0 && chunkIndex < this.chunks.length) return this.chunks[chunkIndex].entries[index - 1];
    for (let c = chunkIndex - 1; c >= 0; c--) {
      const entries = this.chunks[c].entries;
      if (entries.length) return entries[entries.length - 1];
    }
    return undefined;
  }

  /** Recomputes the time line of the message now at row `index` of chunk `chunkIndex` (or the next non-empty one). */
  private refreshTimeAfter(chunkIndex: number, index: number): void {
    for (let c = chunkIndex; c < this.chunks.length; c++, index = 0) {
      const entry = this.chunks[c].entries[index];
      if (!entry) continue;
      const prev = this.entryBefore(c, index);
      const fresh = this.viewOf(entry.msg, prev && prev.msg.time).timeText;
      if (fresh !== entry.view.timeText) {
        if (fresh) entry.view.timeText = fresh;
        else delete entry.view.timeText;
        this.markField(entry.msg.id, 'timeText');
      }
      return;
    }
  }
}
