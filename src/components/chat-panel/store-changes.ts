/**
 * What changed in the ChatStore since the last render: chunks whose rendered copy must be replaced
 * whole, rendered fields per message, and messages whose content model grew. The renderer takes
 * them all at once (ChunkRenderer.diff → ChatStore.takeChanges).
 */
import { Entry } from './message-entry';
import { ViewField } from './types';

/** What changed since the last render. `parts`: per message id, the first part the view lacks. */
export interface StoreChanges {
  chunks: Record<string, true>;
  fields: Record<string, Partial<Record<ViewField, true>>>;
  parts: Record<string, number>;
}

export class ChangeTracker {
  /** Chunks whose rendered copy must be replaced as a whole (a removal shifted their rows). */
  private chunks: Record<string, true> = Object.create(null);
  /** Rendered fields that changed, per message id. */
  private fields: Record<string, Partial<Record<ViewField, true>>> = Object.create(null);
  /** Entries whose content model changed (streamed text, a status that ends a stream). */
  private models: Record<string, Entry> = Object.create(null);

  chunk(key: string): void {
    this.chunks[key] = true;
  }

  field(id: string, field: ViewField): void {
    (this.fields[id] || (this.fields[id] = {}))[field] = true;
  }

  model(entry: Entry): void {
    this.models[entry.msg.id] = entry;
  }

  /** The message's model is gone (a stream folded back into plain content). */
  dropModel(id: string): void {
    delete this.models[id];
  }

  /** The message is gone: nothing of it is left to send. */
  forget(id: string): void {
    delete this.fields[id];
    delete this.models[id];
  }

  clear(): void {
    this.chunks = Object.create(null);
    this.fields = Object.create(null);
    this.models = Object.create(null);
  }

  /** Hands the pending changes to the renderer and forgets them. */
  take(): StoreChanges {
    const parts: Record<string, number> = Object.create(null);
    for (const id of Object.keys(this.models)) {
      const entry = this.models[id];
      const change = entry.model && entry.model.take();
      if (!change || !entry.model) continue;
      entry.view.parts = entry.model.parts; // a fold or a reset replaces the array
      if (change.whole) this.field(id, 'parts');
      else parts[id] = change.from;
    }
    const changes = { chunks: this.chunks, fields: this.fields, parts };
    this.clear();
    return changes;
  }
}
