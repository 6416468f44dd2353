/**
 * A small typed event emitter. `Events` maps an event name to its payload type;
 * `on` returns the function that removes the listener.
 */
export type Listener<T> = (payload: T) => void;
export type Unsubscribe = () => void;
type OnceListener<T> = Listener<T> & { original?: Listener<T> };

export class Emitter<Events extends object> {
  // A Map, not an object: event names such as `constructor`, `__proto__` or `toString` are plain keys.
  private listeners = new Map<keyof Events, Array<Listener<any>>>();

  /** Called when a listener throws; one failing listener never stops the others. */
  constructor(private readonly onListenerError: (err: unknown) => void = defaultListenerError) {}

  on<K extends keyof Events>(event: K, fn: Listener<Events[K]>): Unsubscribe {
    if (typeof fn !== 'function') throw new TypeError('listener must be a function');
    (this.listeners.get(event) || this.listeners.set(event, []).get(event)!).push(fn);
    return () => this.off(event, fn);
  }

  once<K extends keyof Events>(event: K, fn: Listener<Events[K]>): Unsubscribe {
    const wrapper: OnceListener<Events[K]> = (payload) => {
      off();
      fn(payload);
    };
    // Lets off(event, fn) with the original function remove a once-listener too.
    wrapper.original = fn;
    const off = this.on(event, wrapper);
    return off;
  }

  off<K extends keyof Events>(event: K, fn: Listener<Events[K]>): void {
    const list = this.listeners.get(event);
    if (!list) return;
    let i = list.indexOf(fn);
    if (i < 0) i = list.findIndex((l) => (l as OnceListener<Events[K]>).original === fn);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.listeners.delete(event);
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const list = this.listeners.get(event);
    if (!list) return;
    // Copy: a listener may unsubscribe itself (or others) while we iterate. One removed by an
    // earlier listener of this emit is skipped (e.g. a page that unloaded must not get setData);
    // one added during this emit waits for the next.
    for (const fn of list.slice()) {
      const current = this.listeners.get(event);
      if (!current || current.indexOf(fn) < 0) continue;
      try {
        fn(payload);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  listenerCount(event?: keyof Events): number {
    let n = 0;
    this.listeners.forEach((list, key) => (n += event === undefined || key === event ? list.length : 0));
    return n;
  }

  removeAllListeners(event?: keyof Events): void {
    if (event === undefined) this.listeners.clear();
    else this.listeners.delete(event);
  }
}

function defaultListenerError(err: unknown): void {
  console.error('[hybrid-kit] listener threw', err);
}
