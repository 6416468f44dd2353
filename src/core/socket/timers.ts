/** setTimeout handles differ between the mini program, the browser and Node typings. */
export type TimerHandle = ReturnType<typeof setTimeout>;

/** A single re-armable timeout: `set` replaces the previous one, `clear` is always safe. */
export class OneShot {
  private handle: TimerHandle | undefined;

  get armed(): boolean {
    return this.handle !== undefined;
  }

  set(ms: number, fn: () => void): void {
    this.clear();
    this.handle = setTimeout(() => {
      this.handle = undefined;
      fn();
    }, ms);
  }

  clear(): void {
    if (this.handle !== undefined) clearTimeout(this.handle);
    this.handle = undefined;
  }
}
