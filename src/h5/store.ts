/**
 * Calls sent through the navigate channel, kept in sessionStorage so a reply that arrives after
 * a reload of the page (the web-view sometimes reloads on a `src` change) still finds its call.
 * Also remembers the push ids already delivered. Falls back to memory without sessionStorage.
 * A closure rather than a class: its names minify (the navigate-only build is held under 4 KiB).
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

export interface CallStore {
  calls(): StoredCall[];
  update(fn: (calls: StoredCall[]) => StoredCall[]): void;
  /** The pushes whose id was never seen (nor twice in `list`), remembered: one read and one write per hash. */
  unseen<T extends { id: string }>(list: T[]): T[];
}

const MAX_PUSH_IDS = 200;

/** `win.sessionStorage` under `key` (memory when the page may not use it). */
export function createCallStore(win: Window, key: string): CallStore {
  let memory: Snapshot = { calls: [], pushes: [] };
  let storage: Storage | undefined;
  try {
    storage = win.sessionStorage;
  } catch {
    // sandboxed or privacy mode: memory only
  }

  function read(): Snapshot {
    try {
      const value = storage && JSON.parse(storage.getItem(key) || 'null');
      if (value && Array.isArray(value.calls) && Array.isArray(value.pushes)) return value;
    } catch {
      // a broken entry (written by someone else): fall back to memory
    }
    return memory;
  }

  /** Memory always holds the latest copy: quota errors or privacy mode lose nothing this page load. */
  function write(s: Snapshot): void {
    memory = s;
    try {
      if (storage) storage.setItem(key, JSON.stringify(s));
    } catch {
      // Full or refused: drop the stale copy so read() uses memory.
      try {
        storage!.removeItem(key);
      } catch {
        // nothing more to do
      }
    }
  }

  return {
    calls: () => read().calls,
    update(fn) {
      const s = read();
      s.calls = fn(s.calls);
      write(s);
    },
    unseen(list) {
      const s = read();
      const seen = new Set(s.pushes);
      const fresh = list.filter((p) => !seen.has(p.id) && !!seen.add(p.id));
      s.pushes = Array.from(seen).slice(-MAX_PUSH_IDS);
      if (fresh.length) write(s);
      return fresh;
    },
  };
}
