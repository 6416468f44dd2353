/**
 * The child side of lib/proc.js: answers { rid, cmd, params } with { rid, cmd, result | error }.
 * A worker exits by itself when the parent goes away or after `maxLifetimeMs`, so a crashed
 * runner never leaves servers or load loops behind.
 */
function serve(handlers, { maxLifetimeMs = 15 * 60_000, onExit } = {}) {
  const quit = async (code) => {
    try {
      if (onExit) await onExit();
    } finally {
      process.exit(code);
    }
  };
  process.on('message', async (msg) => {
    if (!msg || typeof msg !== 'object') return;
    if (msg.cmd === 'exit') return quit(0);
    const handler = handlers[msg.cmd];
    try {
      if (!handler) throw new Error(`unknown command ${msg.cmd}`);
      const result = await handler(msg.params || {});
      if (process.connected) process.send({ rid: msg.rid, cmd: msg.cmd, result });
    } catch (err) {
      if (process.connected) process.send({ rid: msg.rid, cmd: msg.cmd, error: (err && err.message) || String(err), name: err && err.name, stack: err && err.stack });
    }
  });
  process.on('disconnect', () => quit(0));
  setTimeout(() => quit(2), maxLifetimeMs).unref();
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = { serve, sleep };
