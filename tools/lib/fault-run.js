/**
 * The relay fault run ("delivered means delivered", docs/deployment.md): the real CLI
 * (bin/hybrid-kit.js serve) as a child process, two SocketClients (envs miniapp and h5, one token)
 * talking through a TCP proxy on 127.0.0.1, each sending `messages` reliable messages to the other
 * with the public API while the relay is SIGKILLed and restarted `kills` times and the proxy cuts
 * every connection `cuts` times. Faults are spread over the run by progress (share of messages
 * delivered), not by time, so they always land in the middle of traffic.
 *
 * Each receiver counts every message it surfaced by id. A sender that is told `undelivered`
 * retries with the same id, as docs/socket-manager.md tells apps to. Result: duplicates surfaced,
 * silent losses (reported delivered, never surfaced), messages missing at the end, and counts of
 * what happened. Used by test/server/fault.test.ts (CI) and tools/bench (larger counts).
 */
const { spawn } = require('child_process');
const net = require('net');
const path = require('path');
const { freePort } = require('./redis');
const { startTcpProxy } = require('./tcp-proxy');

const ROOT = path.resolve(__dirname, '../..');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once something accepts TCP connections on `port`. */
async function waitForPort(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => (socket.destroy(), resolve(false)));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`relay did not listen on ${port} within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** `hybrid-kit serve` on 127.0.0.1:port (open mode, no rate limit), optionally over Redis. */
async function startCli(port, redis) {
  const args = [path.join(ROOT, 'bin/hybrid-kit.js'), 'serve', '--port', String(port), '--host', '127.0.0.1', '--rate', '0'];
  if (redis) args.push('--redis', redis.url, '--redis-prefix', redis.prefix);
  const env = { ...process.env };
  delete env.HYBRID_KIT_SECRET;
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await Promise.race([waitForPort(port, 10000), exited.then(() => Promise.reject(new Error(`relay exited: ${stderr}`)))]);
  return {
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** One side: a client, what it surfaced by id, and what its sender side was told. */
function makeSide(socket, env, url, options) {
  const { SocketClient, webSocketTransport } = socket;
  const { WebSocket } = require('ws');
  const c = new SocketClient({
    transport: webSocketTransport(WebSocket),
    target: `${url}&env=${env}`,
    backoff: { base: 20, cap: 250 },
    minUptime: 500,
    connectTimeout: 2000,
    heartbeatInterval: 1000,
    pongTimeout: 1500,
    ackTimeout: 1000,
    ...options,
  });
  const side = { env, c, surfaced: new Map(), acked: new Set(), undelivered: 0, retries: 0, wake: null };
  c.subscribe('n', (_data, frame) => side.surfaced.set(frame.id, (side.surfaced.get(frame.id) || 0) + 1));
  const wake = () => {
    if (side.wake) side.wake();
    side.wake = null;
  };
  c.on('ack', (e) => {
    side.acked.add(e.id);
    wake();
  });
  c.on('undelivered', (e) => {
    side.undelivered++;
    wake();
    if (e.reason === 'destroyed') return;
    side.retries++;
    c.emit('n', e.id, { reliable: true, to: side.peer, id: e.id }); // the app retries with the same id
  });
  return side;
}

/** Sends `count` messages keeping at most `window` waiting for delivery. */
async function pump(side, count, window) {
  for (let i = 0; i < count; ) {
    if (side.c.stats().unacked >= window) {
      await new Promise((resolve) => {
        side.wake = resolve;
        setTimeout(resolve, 50);
      });
      continue;
    }
    const id = `${side.env}-${i}`;
    side.c.emit('n', id, { reliable: true, to: side.peer, id });
    i++;
  }
}

/** Fault points as shares of the messages delivered, interleaved: cuts evenly, kills among them. */
function faultPlan(cuts, kills) {
  const plan = [];
  for (let i = 1; i <= cuts; i++) plan.push({ at: i / (cuts + kills + 1), what: 'cut' });
  for (let i = 1; i <= kills; i++) plan.push({ at: (i - 0.5) / kills * (cuts / (cuts + kills + 1)) + 0.5 / (cuts + kills + 1), what: 'kill' });
  return plan.sort((a, b) => a.at - b.at);
}

/**
 * Works through `run.plan` as deliveries come in: a cut drops every proxied connection, a kill
 * SIGKILLs the relay and starts a fresh one on the same port (one kill at a time: `run.busy`).
 */
function startChaos(run, total) {
  return setInterval(() => {
    if (run.busy || !run.plan.length) return;
    if ((run.mp.acked.size + run.h5.acked.size) / total < run.plan[0].at) return;
    const step = run.plan.shift();
    if (step.what === 'cut') {
      run.done.cutConnections += run.proxy.cut();
      run.done.cuts++;
      return;
    }
    run.busy = true;
    run.relay
      .kill()
      .then(() => sleep(100))
      .then(() => startCli(run.relayPort, run.redis))
      .then((next) => {
        run.relay = next;
        run.done.kills++;
      })
      .catch((err) => (run.failure = err))
      .finally(() => (run.busy = false));
  }, 10);
}

/** What `receiver` surfaced of `sender`'s messages: doubles, the missing, the missing its sender saw acked. */
function countSide(receiver, sender, messages) {
  let duplicates = 0;
  let silentLosses = 0;
  let missing = 0;
  for (const n of receiver.surfaced.values()) if (n > 1) duplicates += n - 1;
  for (let i = 0; i < messages; i++) {
    const id = `${sender.env}-${i}`;
    if (receiver.surfaced.has(id)) continue;
    missing++;
    if (sender.acked.has(id)) silentLosses++;
  }
  return { duplicates, silentLosses, missing, undelivered: sender.undelivered, retries: sender.retries };
}

function summarize(run, messages) {
  const toH5 = countSide(run.h5, run.mp, messages);
  const toMp = countSide(run.mp, run.h5, messages);
  return {
    mode: run.redis ? 'redis' : 'memory',
    messagesEachWay: messages,
    kills: run.done.kills,
    cuts: run.done.cuts,
    cutConnections: run.done.cutConnections,
    duplicates: toH5.duplicates + toMp.duplicates,
    silentLosses: toH5.silentLosses + toMp.silentLosses,
    missing: toH5.missing + toMp.missing,
    undeliveredReported: toH5.undelivered + toMp.undelivered,
    appRetries: toH5.retries + toMp.retries,
    surfaced: run.h5.surfaced.size + run.mp.surfaced.size,
    seconds: Math.round((Date.now() - run.started) / 100) / 10,
  };
}

/** Sends every message, then waits until nothing is unacked and the plan is done; rejects on a failed restart or after `timeoutMs`. */
async function untilDone(run, messages, window, timeoutMs) {
  const finished = (async () => {
    await Promise.all([pump(run.mp, messages, window), pump(run.h5, messages, window)]);
    while (run.mp.c.stats().unacked || run.h5.c.stats().unacked || run.plan.length || run.busy) {
      if (run.failure) throw run.failure;
      await sleep(20);
    }
  })();
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`fault run not finished in ${timeoutMs} ms: ${JSON.stringify(summarize(run, messages))}`)), timeoutMs);
  });
  await Promise.race([finished, timeout]).finally(() => clearTimeout(timer));
  if (run.failure) throw run.failure;
}

/**
 * @param {{ messages?: number, kills?: number, cuts?: number, window?: number, redis?: { url: string, prefix: string }, timeoutMs?: number }} options
 */
async function runFault(options = {}) {
  const { messages = 5000, kills = 3, cuts = 10, window = 100, redis, timeoutMs = 55000 } = options;
  const socket = require(path.join(ROOT, 'dist/node/core/socket'));
  const relayPort = await freePort();
  const run = { relayPort, redis, relay: await startCli(relayPort, redis), plan: faultPlan(cuts, kills), busy: false, failure: null };
  run.proxy = await startTcpProxy(relayPort);
  const url = `ws://127.0.0.1:${run.proxy.port}/socket?token=fault`;
  run.mp = makeSide(socket, 'miniapp', url, options.client);
  run.h5 = makeSide(socket, 'h5', url, options.client);
  run.mp.peer = 'h5';
  run.h5.peer = 'miniapp';
  run.started = Date.now();
  run.done = { kills: 0, cuts: 0, cutConnections: 0 };
  const chaos = startChaos(run, 2 * messages);
  try {
    run.mp.c.connect();
    run.h5.c.connect();
    await untilDone(run, messages, window, timeoutMs);
    return summarize(run, messages);
  } finally {
    clearInterval(chaos);
    run.mp.c.destroy();
    run.h5.c.destroy();
    await run.proxy.close();
    await run.relay.kill();
  }
}

module.exports = { runFault, startCli };
