/** setTimeout handles differ between the mini program, the browser and Node typings. */
export type TimerHandle = ReturnType<typeof setTimeout>;

/** A single re-armable timeout: `set` replaces the previous one, `clear` is always safe. */
export class OneShot {
  private handle: TimerHandle | undefined;
  private fn: (() => void) | undefined;
  /** Made once: re-arming allocates no wrapper closure (confirmations arm a timer every turn). */
  private readonly fire = (): void => {
    const fn = this.fn;
    this.handle = undefined;
    this.fn = undefined;
    if (fn) fn();
  };

  get armed(): boolean {
    return this.handle !== undefined;
  }

  set(ms: number, fn: () => void): void {
    this.clear();
    this.fn = fn;
    this.handle = setTimeout(this.fire, ms);
  }

  clear(): void {
    if (this.handle !== undefined) clearTimeout(this.handle);
    this.handle = undefined;
    this.fn = undefined;
  }
}
