/**
 * A small typed event emitter. `Events` maps an event name to its payload type;
 * `on` returns the function that removes the listener.
 *
 * The work is done by three functions on a plain `Map` (`addListener`, `removeListener`,
 * `emitTo`) that the class calls: code that needs only on/emit (the H5 navigate channel, held
 * under 4 KiB) uses them without pulling in the class and its other methods.
 */
export type Listener<T> = (payload: T) => void;
export type Unsubscribe = () => void;
type OnceListener<T> = Listener<T> & { original?: Listener<T> };
/** Listeners by event name. A Map, not an object: `constructor`, `__proto__` or `toString` are plain keys. */
export type ListenerMap<K = unknown> = Map<K, Array<Listener<any>>>;

export function addListener<K>(listeners: ListenerMap<K>, event: K, fn: Listener<any>): Unsubscribe {
  if (typeof fn !== 'function') throw new TypeError('listener must be a function');
  (listeners.get(event) || listeners.set(event, []).get(event)!).push(fn);
  return () => removeListener(listeners, event, fn);
}

/** Removes `fn` from `event`; false when it was not there. */
export function removeListener<K>(listeners: ListenerMap<K>, event: K, fn: Listener<any>): boolean {
  const list = listeners.get(event) || [];
  const i = list.indexOf(fn);
  if (i >= 0) list.splice(i, 1);
  if (list.length === 0) listeners.delete(event);
  return i >= 0;
}

/** Calls the listeners of `event`; one that throws goes to `onError` and never stops the others. */
export function emitTo<K>(listeners: ListenerMap<K>, event: K, payload: unknown, onError: (err: unknown) => void = defaultListenerError): void {
  const list = listeners.get(event);
  if (!list) return;
  // Copy: a listener may unsubscribe itself (or others) while we iterate. One removed by an
  // earlier listener of this emit is skipped (e.g. a page that unloaded must not get setData);
  // one added during this emit waits for the next.
  for (const fn of list.slice()) {
    const current = listeners.get(event);
    if (!current || current.indexOf(fn) < 0) continue;
    try {
      fn(payload);
    } catch (err) {
      onError(err);
    }
  }
}

export class Emitter<Events extends object> {
  private listeners: ListenerMap<keyof Events> = new Map();

  /** Called when a listener throws; one failing listener never stops the others. */
  constructor(private readonly onListenerError: (err: unknown) => void = defaultListenerError) {}

  on<K extends keyof Events>(event: K, fn: Listener<Events[K]>): Unsubscribe {
    return addListener(this.listeners, event, fn);
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
    if (removeListener(this.listeners, event, fn)) return;
    // Not there: perhaps the once-wrapper of fn.
    const wrapper = (this.listeners.get(event) || []).find((l) => (l as OnceListener<Events[K]>).original === fn);
    if (wrapper) removeListener(this.listeners, event, wrapper);
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    emitTo(this.listeners, event, payload, this.onListenerError);
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
