/**
 * Runs `fn` at the end of the current turn (a microtask): after the code running now, before any
 * I/O callback or timer. Each call makes its own resolved promise: a module-level one would be a
 * side effect that bundlers keep in every build that imports this file's neighbours.
 */
export function atEndOfTurn(fn: () => void): void {
  void Promise.resolve().then(fn);
}

/**
 * Handlings of incoming data whose turn is not over (see handlingIncoming). A count, not a flag:
 * one TCP read can hold several WebSocket messages, each handled before any of their turns ends.
 */
let incoming = 0;
const incomingHandled = (): void => {
  incoming--;
};

/**
 * Runs `handle(data)` for data that came in. Until the end of this turn (which includes the
 * callbacks of promises it settled), `incomingThisTurn()` is true: writes it causes are traffic
 * answering traffic and are worth holding to go out together; any other write may go at once.
 */
export function handlingIncoming<T>(handle: (data: T) => void, data: T): void {
  incoming++;
  try {
    handle(data);
  } finally {
    // Queued after every callback that handle() settled, so those still run inside the turn.
    atEndOfTurn(incomingHandled);
  }
}

export function incomingThisTurn(): boolean {
  return incoming > 0;
}
