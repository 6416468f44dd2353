/**
 * Server process (forked by the runner with --expose-gc): runs one server at a time, bound to
 * 127.0.0.1, and reports its memory. Kinds: `minimal` (baselines/minimal-forwarder),
 * `express-ws-relay` (baselines/express-ws-relay: the old relay's design), `echo`
 * (baselines/echo-server), `socketio` (baselines/socketio-server), `ours` (our relay server).
 * `cpu` reports process.cpuUsage() (the suites take differences).
 */
const { serve } = require('../lib/worker');
const { startMinimalForwarder, closeWss } = require('../baselines/minimal-forwarder');
const { startExpressWsRelay } = require('../baselines/express-ws-relay');
const { startEchoServer } = require('../baselines/echo-server');
const { startSocketIoServer } = require('../baselines/socketio-server');
const ours = require('../adapters/ours');

const kinds = {
  minimal: startMinimalForwarder,
  'express-ws-relay': startExpressWsRelay,
  echo: async (options) => {
    const server = await startEchoServer(options);
    return { port: server.port, close: () => closeWss(server.wss) };
  },
  socketio: startSocketIoServer,
  ours: (options) => ours.startRelay(options),
};

let current = null; // { kind, options, port, close }

async function start({ kind, options = {} }) {
  if (current) throw new Error(`a ${current.kind} server is already running`);
  if (!kinds[kind]) throw new Error(`unknown server kind ${kind}`);
  const server = await kinds[kind]({ ...options, host: '127.0.0.1', port: options.port || 0 });
  current = { kind, options, port: server.port, close: server.close };
  return { port: server.port };
}

async function stop() {
  if (!current) return { stopped: false };
  const { close } = current;
  current = null;
  await close();
  return { stopped: true };
}

/** Memory after two full collections: what live connections really hold. */
function memory() {
  if (global.gc) {
    global.gc();
    global.gc();
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, gcExposed: Boolean(global.gc) };
}

/** This process's CPU time so far (µs, user + system). */
function cpu() {
  const { user, system } = process.cpuUsage();
  return { micros: user + system };
}

serve({ start, stop, memory, cpu }, { onExit: stop });
