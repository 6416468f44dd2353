/**
 * Calls sent through the navigate channel, kept in sessionStorage so a reply that arrives after
 * a reload of the page (the web-view sometimes reloads on a `src` change) still finds its call.
 * Also remembers the push ids already delivered. Falls back to memory without sessionStorage.
 */
export interface StoredCall {
  req: string;
  api: string;
  /** ms since epoch after which the call is given up. */
  deadline: number;
  /** navigateTo was made (a call only queued when the page unloaded was never sent). */
  sent: boolean;
  /** The page load that made it. */
  doc: string;
}

interface Snapshot {
  calls: StoredCall[];
  pushes: string[];
}

const MAX_PUSH_IDS = 200;

export class CallStore {
  private memory: Snapshot = { calls: [], pushes: [] };

  constructor(private readonly storage: Storage | undefined, private readonly key: string) {}

  private read(): Snapshot {
    try {
      const value = this.storage && JSON.parse(this.storage.getItem(this.key) || 'null');
      if (value && Array.isArray(value.calls) && Array.isArray(value.pushes)) return value;
    } catch {
      // a broken entry (written by someone else): fall back to memory
    }
    return this.memory;
  }

  /** Memory always holds the latest copy: quota errors or privacy mode lose nothing this page load. */
  private write(s: Snapshot): void {
    this.memory = s;
    try {
      if (this.storage) this.storage.setItem(this.key, JSON.stringify(s));
    } catch {
      // Full or refused: drop the stale copy so read() uses memory.
      try {
        this.storage!.removeItem(this.key);
      } catch {
        // nothing more to do
      }
    }
  }

  calls(): StoredCall[] {
    return this.read().calls;
  }

  update(fn: (calls: StoredCall[]) => StoredCall[]): void {
    const s = this.read();
    s.calls = fn(s.calls);
    this.write(s);
  }

  /** The pushes whose id was never seen (nor twice in `list`), remembered: one read and one write per hash. */
  unseen<T extends { id: string }>(list: T[]): T[] {
    const s = this.read();
    const seen = new Set(s.pushes);
    const fresh = list.filter((p) => !seen.has(p.id) && !!seen.add(p.id));
    s.pushes = Array.from(seen).slice(-MAX_PUSH_IDS);
    if (fresh.length) this.write(s);
    return fresh;
  }
}
