/** Starting the bench's child processes: a server host (with --expose-gc) and a load generator. */
const path = require('path');

const SERVER_HOST = path.join(__dirname, '../hosts/server-host.js');
const LOADGEN = path.join(__dirname, '../hosts/loadgen.js');
const CLIENT_LOAD = path.join(__dirname, '../hosts/client-load.js');

/** Starts a server of `kind` in its own process (`root`: from another checkout's host); resolves { host, port, url }. */
async function startServerHost(spawn, kind, options = {}, root) {
  const host = spawn(root ? path.join(root, 'tools/bench/hosts/server-host.js') : SERVER_HOST, { execArgv: ['--expose-gc'] });
  const { port } = await host.request('start', { kind, options });
  return { host, port, url: `ws://127.0.0.1:${port}/socket` };
}

function startLoadgen(spawn) {
  return spawn(LOADGEN, { timeoutMs: 120_000 });
}

function startClientLoad(spawn) {
  return spawn(CLIENT_LOAD, { timeoutMs: 120_000 });
}

module.exports = { startServerHost, startLoadgen, startClientLoad };
