/**
 * The panel's whole conversation, outside setData: messages in fixed-size chunks (the unit the
 * view renders and pages), an id index, and what changed since the last render (store-changes.ts).
 * A message's row and content model are built in message-entry.ts.
 */
import { Entry, makeEntry, showModel, ViewOptions, viewOf } from './message-entry';
import { TextParts } from './parts';
import { ChangeTracker, StoreChanges } from './store-changes';
import { MessagePatch, PanelMessage } from './types';

export type { Entry, ViewOptions } from './message-entry';
export type { StoreChanges } from './store-changes';

export interface Chunk {
  key: string;
  entries: Entry[];
}

export class ChatStore {
  /** Oldest first. Chunks never move or disappear (an emptied chunk stays, renders nothing) until clear(). */
  readonly chunks: Chunk[] = [];
  private byId: Record<string, Chunk> = Object.create(null);
  private count = 0;
  private nextKey = 0;
  private readonly changes = new ChangeTracker();

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
      const entry = makeEntry(msg, prev && prev.msg.time, this.opts);
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
        chunk.entries.push(makeEntry(msg, prevTime, this.opts));
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
        this.changes.model(entry);
      } else {
        entry.view.content = patch.content;
        this.changes.field(id, 'content');
      }
    }
    if (patch.status !== undefined && patch.status !== entry.msg.status) {
      const wasStreaming = entry.msg.status === 'streaming';
      entry.msg.status = entry.view.status = patch.status;
      this.changes.field(id, 'status');
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
    this.changes.model(entry);
  }

  remove(id: string): PanelMessage | undefined {
    const at = this.locate(id);
    if (!at) return undefined;
    const [entry] = at.chunk.entries.splice(at.index, 1);
    delete this.byId[id];
    this.changes.forget(id);
    this.count--;
    this.changes.chunk(at.chunk.key);
    this.refreshTimeAfter(this.chunks.indexOf(at.chunk), at.index);
    return entry.msg;
  }

  clear(): void {
    this.chunks.length = 0;
    this.byId = Object.create(null);
    this.count = 0;
    this.changes.clear();
  }

  /** New role/locale/gap: every view is rebuilt and every chunk re-rendered (rare, user-initiated). */
  setOptions(opts: ViewOptions): void {
    this.opts = opts;
    let prevTime: number | undefined;
    for (const chunk of this.chunks) {
      chunk.entries.forEach((e) => {
        e.view = viewOf(e.msg, prevTime, this.opts);
        if (e.model) showModel(e);
        prevTime = e.msg.time;
      });
      this.changes.chunk(chunk.key);
    }
  }

  /** Hands the pending changes to the renderer and forgets them. */
  takeChanges(): StoreChanges {
    return this.changes.take();
  }

  private entry(id: string): Entry | undefined {
    const at = this.locate(id);
    return at && at.chunk.entries[at.index];
  }

  private startStream(entry: Entry): void {
    if (entry.model || typeof entry.msg.content !== 'string') return;
    entry.model = new TextParts(entry.msg.content);
    showModel(entry);
    this.changes.field(entry.msg.id, 'content');
    this.changes.model(entry);
  }

  /** A stream ended: Markdown commits its last block; a text folds its parts back into one content. */
  private endStream(entry: Entry): void {
    if (!entry.model) return;
    const id = entry.msg.id;
    if (!(entry.model instanceof TextParts)) {
      entry.model.finish();
      this.changes.model(entry);
      return;
    }
    entry.model = undefined;
    entry.view.content = entry.msg.content;
    delete entry.view.parts;
    this.changes.dropModel(id);
    this.changes.field(id, 'content');
    this.changes.field(id, 'parts');
  }

  private newChunk(): Chunk {
    return { key: 'c' + this.nextKey++, entries: [] };
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
      const fresh = viewOf(entry.msg, prev && prev.msg.time, this.opts).timeText;
      if (fresh !== entry.view.timeText) {
        if (fresh) entry.view.timeText = fresh;
        else delete entry.view.timeText;
        this.changes.field(entry.msg.id, 'timeText');
      }
      return;
    }
  }
}
