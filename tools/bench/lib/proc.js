/**
 * Child processes for the benchmark: servers and load generators run in their own process
 * (child_process.fork) and answer requests over IPC. Every child is killed when the runner ends,
 * even on an error or Ctrl-C; every request has a timeout.
 */
const { fork } = require('child_process');

const children = new Set();

function killAll() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
}

process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

/** The child's error, keeping its name and its stack. */
function childError(msg) {
  const err = new Error(msg.error);
  if (msg.name) err.name = msg.name;
  if (msg.stack) err.stack = `${msg.cmd} in child: ${msg.stack}`;
  return err;
}

/** Adds a child made elsewhere (redis-server) to the ones killed when the runner ends. */
function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/**
 * Forks `file` and returns { request(cmd, params, timeoutMs), stop(), pid }. A request resolves
 * with the child's answer, or rejects on the child's error, its exit or the timeout.
 */
function forkWorker(file, { execArgv = [], timeoutMs = 60_000, env = {}, quiet = false } = {}) {
  // quiet: the child's own console output is dropped (errors still come back with the answers).
  const out = quiet ? 'ignore' : 'inherit';
  const child = fork(file, [], {
    execArgv,
    env: { ...process.env, ...env },
    stdio: ['ignore', out, out, 'ipc'],
  });
  children.add(child);
  const pending = new Map();
  let nextId = 0;

  child.on('message', (msg) => {
    const waiter = pending.get(msg && msg.rid);
    if (!waiter) return;
    pending.delete(msg.rid);
    clearTimeout(waiter.timer);
    if (msg.error) waiter.reject(childError(msg));
    else waiter.resolve(msg.result);
  });
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      children.delete(child);
      for (const waiter of pending.values()) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error(`worker ${file} exited (${code === null ? signal : code})`));
      }
      pending.clear();
      resolve();
    });
  });

  function request(cmd, params = {}, ms = timeoutMs) {
    return new Promise((resolve, reject) => {
      if (!child.connected) return reject(new Error(`worker ${file} is not running`));
      const rid = ++nextId;
      const timer = setTimeout(() => {
        pending.delete(rid);
        reject(new Error(`${cmd}: no answer within ${ms} ms`));
      }, ms);
      pending.set(rid, { resolve, reject, timer });
      child.send({ rid, cmd, params });
    });
  }

  /** Asks the child to exit, and kills it if it has not within `graceMs`. */
  async function stop(graceMs = 2000) {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (child.connected) child.send({ cmd: 'exit' });
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** Ends the child at once (SIGKILL): the kernel drops all of its connections together. */
  async function kill() {
    child.kill('SIGKILL');
    await exited;
  }

  return { request, stop, kill, pid: child.pid };
}

/** Runs `fn(spawn)`; every worker made with `spawn(file, options)` is stopped whatever happens. */
async function withWorkers(fn) {
  const workers = [];
  const spawn = (...args) => {
    const w = forkWorker(...args);
    workers.push(w);
    return w;
  };
  try {
    return await fn(spawn);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}

module.exports = { forkWorker, withWorkers, killAll, track };
