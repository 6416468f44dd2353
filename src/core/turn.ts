/**
 * Runs `fn` at the end of the current turn (a microtask): after the code running now, before any
 * I/O callback or timer. Each call makes its own resolved promise: a module-level one would be a
 * side effect that bundlers keep in every build that imports this file's neighbours.
 */
export function atEndOfTurn(fn: () => void): void {
  void Promise.resolve().then(fn);
}
