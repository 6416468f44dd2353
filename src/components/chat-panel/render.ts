/**
 * Turns store changes into one setData object by data path. It remembers what the view holds
 * (chunk order, rows per chunk) and sends only the difference: new rows as `chunks.cN[i]`,
 * changed fields as `chunks.cN[i].status`, a whole chunk only when a removal shifted its rows,
 * and `chunkIds` (a few short keys) only when the window moved.
 */
import { ChatStore } from './store';
import { MessageView, ViewField } from './types';
import { RenderWindow } from './window';

export type Patch = Record<string, unknown>;

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function rowValue(view: MessageView, field: ViewField): unknown {
  const value = view[field];
  if (Array.isArray(value)) return value.slice(); // the store keeps growing its own array
  return value === undefined ? '' : value; // a field that went away renders as empty
}

/** A row as the view receives it: a copy, since the store keeps editing its own. */
function rowOf(view: MessageView): MessageView {
  const row = { ...view };
  if (view.parts) row.parts = view.parts.slice();
  return row;
}

export class ChunkRenderer {
  private order: string[] = [];
  /** Rows the view holds, per rendered chunk key. */
  private rows: Record<string, number> = Object.create(null);

  /** Rendered rows in total (what the node budget depends on). */
  get renderedRows(): number {
    return this.order.reduce((n, key) => n + this.rows[key], 0);
  }

  isRendered(key: string): boolean {
    return key in this.rows;
  }

  diff(store: ChatStore, win: RenderWindow): Patch {
    const patch: Patch = {};
    const changes = store.takeChanges();
    const target = win.keys(store.chunks);
    const targetSet: Record<string, true> = Object.create(null);
    target.forEach((k) => (targetSet[k] = true));

    for (const key of this.order) {
      if (!targetSet[key]) {
        patch['chunks.' + key] = null; // frees the view's copy of a chunk that left the window
        delete this.rows[key];
      }
    }
    if (!sameList(target, this.order)) patch.chunkIds = target;

    const inWindow = store.chunks.slice(win.start, win.end + 1);
    for (const chunk of inWindow) {
      const base = 'chunks.' + chunk.key;
      const had = this.rows[chunk.key];
      if (had === undefined || changes.chunks[chunk.key]) {
        patch[base] = chunk.entries.map((e) => rowOf(e.view));
      } else {
        chunk.entries.forEach((entry, i) => {
          const row = `${base}[${i}]`;
          if (i >= had) {
            patch[row] = rowOf(entry.view);
            return;
          }
          const fields = changes.fields[entry.msg.id];
          if (fields) (Object.keys(fields) as ViewField[]).forEach((f) => (patch[`${row}.${f}`] = rowValue(entry.view, f)));
          const from = changes.parts[entry.msg.id];
          const parts = entry.view.parts;
          if (from === undefined || !parts || (fields && fields.parts)) return;
          for (let p = from; p < parts.length; p++) patch[`${row}.parts[${p}]`] = parts[p]; // only what is new
        });
      }
      this.rows[chunk.key] = chunk.entries.length;
    }
    this.order = target;
    return patch;
  }

  reset(): void {
    this.order = [];
    this.rows = Object.create(null);
  }
}
