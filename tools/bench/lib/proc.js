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

/** The child process of a worker, tracked for killAll; `quiet` drops its own console output. */
function forkChild(file, { execArgv = [], env = {}, quiet = false }) {
  const out = quiet ? 'ignore' : 'inherit';
  const child = fork(file, [], { execArgv, env: { ...process.env, ...env }, stdio: ['ignore', out, out, 'ipc'] });
  children.add(child);
  return child;
}

/** Requests waiting for their answer, by request id. */
class PendingRequests {
  constructor() {
    this.waiters = new Map();
  }

  add(rid, resolve, reject, timer) {
    this.waiters.set(rid, { resolve, reject, timer });
  }

  drop(rid) {
    this.waiters.delete(rid);
  }

  /** The child answered { rid, result | error }. */
  answer(msg) {
    const waiter = this.waiters.get(msg && msg.rid);
    if (!waiter) return;
    this.waiters.delete(msg.rid);
    clearTimeout(waiter.timer);
    if (msg.error) waiter.reject(childError(msg));
    else waiter.resolve(msg.result);
  }

  /** The child is gone: every waiting request fails with `err`. */
  failAll(err) {
    for (const waiter of this.waiters.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(err);
    }
    this.waiters.clear();
  }
}

/**
 * Forks `file` and returns { request(cmd, params, timeoutMs), stop(), kill(), pid }. A request
 * resolves with the child's answer, or rejects on the child's error, its exit or the timeout.
 */
function forkWorker(file, { timeoutMs = 60_000, ...options } = {}) {
  const child = forkChild(file, options);
  const pending = new PendingRequests();
  let nextId = 0;
  child.on('message', (msg) => pending.answer(msg));
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      children.delete(child);
      pending.failAll(new Error(`worker ${file} exited (${code === null ? signal : code})`));
      resolve();
    });
  });

  function request(cmd, params = {}, ms = timeoutMs) {
    return new Promise((resolve, reject) => {
      if (!child.connected) return reject(new Error(`worker ${file} is not running`));
      const rid = ++nextId;
      const timer = setTimeout(() => {
        pending.drop(rid);
        reject(new Error(`${cmd}: no answer within ${ms} ms`));
      }, ms);
      pending.add(rid, resolve, reject, timer);
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
