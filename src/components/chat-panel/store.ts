/**
 * The panel's whole conversation, outside setData: messages in fixed-size chunks (the unit the
 * view renders and pages), an id index, and what changed since the last render.
 */
import { formatTime, startsTimeGroup } from './time';
import { ChatMessage, MessagePatch, MessageView, Side, ViewField } from './types';

export interface ViewOptions {
  /** The role drawn on the right. */
  self: string;
  locale: string;
  /** Gap (ms) after which a new time line is shown. */
  timeGapMs: number;
}

export interface Entry {
  msg: ChatMessage;
  view: MessageView;
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

  get(id: string): ChatMessage | undefined {
    const at = this.locate(id);
    return at && at.chunk.entries[at.index].msg;
  }

  /** Every message, oldest first (copies, so callers cannot change the store behind its back). */
  list(): ChatMessage[] {
    const out: ChatMessage[] = [];
    this.chunks.forEach((c) => c.entries.forEach((e) => out.push({ ...e.msg })));
    return out;
  }

  last(): ChatMessage | undefined {
    const e = this.entryBefore(this.chunks.length, 0);
    return e && e.msg;
  }

  /** Adds messages (already validated, ids new) after the newest one. */
  append(msgs: ChatMessage[]): void {
    let prev = this.entryBefore(this.chunks.length, 0);
    for (const msg of msgs) {
      let tail = this.chunks[this.chunks.length - 1];
      if (!tail || tail.entries.length >= this.chunkSize) {
        tail = this.newChunk();
        this.chunks.push(tail);
      }
      const entry = { msg, view: this.viewOf(msg, prev && prev.msg.time) };
      tail.entries.push(entry);
      this.byId[msg.id] = tail;
      prev = entry;
    }
    this.count += msgs.length;
  }

  /** Adds older messages (oldest first) before the oldest one; returns how many chunks were added in front. */
  prepend(msgs: ChatMessage[]): number {
    if (!msgs.length) return 0;
    const added: Chunk[] = [];
    let prevTime: number | undefined;
    for (let i = 0; i < msgs.length; i += this.chunkSize) {
      const chunk = this.newChunk();
      for (const msg of msgs.slice(i, i + this.chunkSize)) {
        chunk.entries.push({ msg, view: this.viewOf(msg, prevTime) });
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
    const at = this.locate(id);
    if (!at) return;
    const entry = at.chunk.entries[at.index];
    if (patch.status !== undefined && patch.status !== entry.msg.status) {
      entry.msg.status = entry.view.status = patch.status;
      this.markField(id, 'status');
    }
    if (patch.content !== undefined && patch.content !== entry.msg.content) {
      entry.msg.content = entry.view.content = patch.content;
      this.markField(id, 'content');
    }
  }

  remove(id: string): ChatMessage | undefined {
    const at = this.locate(id);
    if (!at) return undefined;
    const [entry] = at.chunk.entries.splice(at.index, 1);
    delete this.byId[id];
    delete this.dirtyFields[id];
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
  }

  /** New role/locale/gap: every view is rebuilt and every chunk re-rendered (rare, user-initiated). */
  setOptions(opts: ViewOptions): void {
    this.opts = opts;
    let prevTime: number | undefined;
    for (const chunk of this.chunks) {
      chunk.entries.forEach((e) => {
        e.view = this.viewOf(e.msg, prevTime);
        prevTime = e.msg.time;
      });
      this.dirtyChunks[chunk.key] = true;
    }
  }

  /** Hands the pending changes to the renderer and forgets them. */
  takeChanges(): { chunks: Record<string, true>; fields: Record<string, Partial<Record<ViewField, true>>> } {
    const changes = { chunks: this.dirtyChunks, fields: this.dirtyFields };
    this.dirtyChunks = Object.create(null);
    this.dirtyFields = Object.create(null);
    return changes;
  }

  private newChunk(): Chunk {
    return { key: 'c' + this.nextKey++, entries: [] };
  }

  private viewOf(msg: ChatMessage, prevTime: number | undefined): MessageView {
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
