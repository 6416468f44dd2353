/**
 * Per pairing key, one entry per env (connections in the registry, records in the memory hub).
 * A key has few envs (at most maxEnvsPerToken, 8 by default), so each key holds a short array,
 * not a Map: a Map costs about 200 bytes even with one entry, an exact-size array of one entry
 * about 56, and every idle connection holds one entry in the registry and one in the memory hub.
 * Arrays are replaced, never grown or spliced, on set/delete (so they stay exact-size, and a list
 * being iterated is never changed under the loop); set/delete happen on connects, not per frame.
 */
const NONE: readonly never[] = Object.freeze([]);

export class EnvTable<T extends { readonly env: string }> {
  private readonly byKey = new Map<string, readonly T[]>();

  /** The entry of key+env. */
  get(key: string, env: string): T | undefined {
    const list = this.byKey.get(key);
    if (list) for (let i = 0; i < list.length; i++) if (list[i].env === env) return list[i];
    return undefined;
  }

  /** The entries of `key` (an empty list when none); do not keep it across a set/delete. */
  list(key: string): readonly T[] {
    return this.byKey.get(key) || NONE;
  }

  /** Sets the entry of its env under `key`; returns the entry it replaced, if any. */
  set(key: string, entry: T): T | undefined {
    const list = this.byKey.get(key) || NONE;
    const i = list.findIndex((e) => e.env === entry.env);
    if (i < 0) {
      this.byKey.set(key, list.concat([entry])); // concat and slice allocate exactly; push and filter do not
      return undefined;
    }
    const next = list.slice();
    next[i] = entry;
    this.byKey.set(key, next);
    return list[i];
  }

  /** Removes exactly `entry` (not a newer entry of the same env); false when it is not there. */
  delete(key: string, entry: T): boolean {
    const list = this.byKey.get(key);
    const i = list ? list.indexOf(entry) : -1;
    if (i < 0) return false;
    if (list!.length === 1) this.byKey.delete(key);
    else this.byKey.set(key, list!.slice(0, i).concat(list!.slice(i + 1)));
    return true;
  }

  /** Every key with its entries. */
  entries(): IterableIterator<[string, readonly T[]]> {
    return this.byKey.entries();
  }

  /** Every entry of every key. */
  *values(): IterableIterator<T> {
    for (const list of this.byKey.values()) yield* list;
  }

  clear(): void {
    this.byKey.clear();
  }
}
