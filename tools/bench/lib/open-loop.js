/**
 * Open-loop pacing shared by the load hosts: `sendOne(k)` is called so that `rate` messages per
 * second go out over `durationMs` (checked every `tickMs`), then we wait up to `drainMs` until
 * `arrived()` reaches the number sent. Resolves that number.
 */
const { performance } = require('perf_hooks');
const { sleep } = require('./worker');

async function paceOpenLoop({ rate, durationMs, drainMs, tickMs, sendOne, arrived }) {
  const start = performance.now();
  const cap = Math.ceil((rate * durationMs) / 1000);
  let sent = 0;
  await new Promise((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - start;
      const due = Math.min(Math.floor((rate * Math.min(elapsed, durationMs)) / 1000), cap);
      for (; sent < due; sent++) sendOne(sent);
      if (elapsed >= durationMs) {
        clearInterval(timer);
        resolve();
      }
    }, tickMs);
  });
  const drainUntil = performance.now() + drainMs;
  while (arrived() < sent && performance.now() < drainUntil) await sleep(20);
  return sent;
}

module.exports = { paceOpenLoop };
