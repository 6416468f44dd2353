/**
 * Pair load through each library's own client API (forked by the runner): N pairs of clients
 * (token i: a sender and its peer), each message going sender → server → peer. Kinds:
 *  - `ours`: two SocketClients (envs h5 and miniapp) on our relay;
 *  - `socketio`: two socket.io-client sockets in the room of the token (baselines/socketio-server),
 *    websocket transport only, perMessageDeflate off.
 * Modes: `fire` (no ack; done when the peer got it), `server` (done on the server's ack: our
 * `accepted`, socket.io `emitWithAck` acked by the server), `peer` (done once the peer's app got it:
 * our `delivered`, socket.io `emitWithAck` acked by the peer through the server).
 * Every loop is bounded by a duration; `closeAll` ends every client. CPU time of this process is
 * reported with each measurement (process.cpuUsage).
 */
const { performance } = require('perf_hooks');
const { serve, sleep } = require('../lib/worker');
const { summarize } = require('../lib/stats');
const { paceOpenLoop } = require('../lib/open-loop');
const { createSocketClient } = require('../adapters/ours');

const TEXT = 'Benchmark message 基准消息: the quick brown fox jumps over the lazy dog 0123456789';
const SIO_EVENT = { fire: 'bench', server: 'benchAck', peer: 'benchPeer' };

let pairs = []; // { index, send(mode, data, done), clients[] }
let idle = []; // { close() }
let onArrival = null; // (pairIndex, sentAt) during a measurement

const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

function arrived(data) {
  if (onArrival && data && typeof data.s === 'number') onArrival(data.p, data.s);
}

// ---- ours ----

function openOurs(url, token, env) {
  const client = createSocketClient(`${url}?token=${token}&env=${env}`, { maxUnacked: 10_000 });
  return new Promise((resolve, reject) => {
    const offOpen = client.on('open', () => (offOpen(), resolve(client)));
    client.on('failed', (e) => reject(new Error(`ours ${token}/${env}: ${e.reason}`)));
    client.connect();
  });
}

async function oursPair(index, url, peerUrl) {
  const sender = await openOurs(url, `p${index}`, 'h5');
  const peer = await openOurs(peerUrl, `p${index}`, 'miniapp');
  peer.subscribe('bench', arrived);
  const send = (mode, data, done) => {
    const result = sender.emit('bench', data, { reliable: mode !== 'fire' });
    if (result.error) throw result.error;
    if (mode === 'server') result.accepted.then(done, () => {});
    else if (mode === 'peer') result.delivered.then(done, () => {});
  };
  return { index, send, closers: [() => sender.destroy(), () => peer.destroy()] };
}

// ---- socket.io ----

function openSocketIo(url, token, env) {
  const { io } = require('socket.io-client');
  const socket = io(url, {
    transports: ['websocket'],
    perMessageDeflate: false,
    forceNew: true,
    reconnection: false,
    query: { token, env },
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => reject(new Error(`socket.io ${token}/${env}: ${err.message}`)));
  });
}

async function socketIoPair(index, url, peerUrl) {
  const sender = await openSocketIo(url, `p${index}`, 'h5');
  const peer = await openSocketIo(peerUrl, `p${index}`, 'miniapp');
  peer.on('bench', arrived);
  peer.on('benchPeer', (data, ack) => {
    arrived(data);
    ack('ok');
  });
  const send = (mode, data, done) => {
    if (mode === 'fire') sender.emit('bench', data);
    else sender.emitWithAck(SIO_EVENT[mode], data).then(done, () => {});
  };
  return { index, send, closers: [() => sender.disconnect(), () => peer.disconnect()] };
}

const OPENERS = { ours: oursPair, socketio: socketIoPair };

/** Opens `count` pairs of `kind` (`peerUrl`: the peer's instance, for two instances over Redis). */
async function openPairs({ kind, url, peerUrl = url, count, concurrency = 50 }) {
  if (!OPENERS[kind]) throw new Error(`unknown client kind ${kind}`);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      pairs[i] = await OPENERS[kind](i, url, peerUrl);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  await sleep(200); // hello / presence frames pass before anything is measured
  return { pairs: pairs.length };
}

/** Idle connections for the memory figure: each its own token, nothing sent. */
async function openIdle({ kind, url, count }) {
  for (let i = 0; i < count; i++) {
    const env = i % 2 ? 'h5' : 'miniapp';
    if (kind === 'ours') {
      const client = await openOurs(url, `idle${i}`, env);
      idle.push(() => client.destroy());
    } else {
      const socket = await openSocketIo(url, `idle${i}`, env);
      idle.push(() => socket.disconnect());
    }
  }
  return { open: idle.length };
}

const message = (p) => ({ p, text: TEXT, s: performance.now() });

/**
 * Closed loop: each pair keeps `window` messages in flight for `warmupMs + durationMs`; a message
 * is done when the peer got it (`fire`) or when its ack came (`server`, `peer`). Returns done per
 * second in the measured span, and this process's CPU time and done count over the whole call.
 */
async function saturate({ mode, window = 4, durationMs = 2000, warmupMs = 500 }) {
  if (!pairs.length) throw new Error('open pairs first');
  const cpuStart = cpuMicros();
  const start = performance.now();
  const measureFrom = start + warmupMs;
  const deadline = measureFrom + durationMs;
  let measured = 0;
  let total = 0;
  const completed = (i) => {
    const now = performance.now();
    total++;
    if (now >= measureFrom && now < deadline) measured++;
    if (now < deadline) sendOne(i);
  };
  const sendOne = (i) => pairs[i].send(mode, message(i), () => completed(i));
  onArrival = mode === 'fire' ? (i) => completed(i) : null;
  for (let i = 0; i < pairs.length; i++) for (let k = 0; k < window; k++) sendOne(i);
  await sleep(warmupMs + durationMs);
  await sleep(300); // in-flight messages drain before the next phase
  onArrival = null;
  return { perSecond: measured / (durationMs / 1000), total, clientCpuMicros: cpuMicros() - cpuStart };
}

/**
 * Open loop: `rate` messages per second over all pairs (round-robin) for `durationMs`. Latency: send
 * to the peer's arrival (`fire`) or to the ack (`server`, `peer`).
 */
async function steady({ mode, rate, durationMs = 2000, drainMs = 2000, tickMs = 5 }) {
  if (!pairs.length) throw new Error('open pairs first');
  const latencies = [];
  onArrival = mode === 'fire' ? (_i, sentAt) => latencies.push(performance.now() - sentAt) : null;
  const sent = await paceOpenLoop({
    rate, durationMs, drainMs, tickMs,
    sendOne: (k) => {
      const data = message(k % pairs.length);
      pairs[data.p].send(mode, data, () => latencies.push(performance.now() - data.s));
    },
    arrived: () => latencies.length,
  });
  onArrival = null;
  return { sent, done: latencies.length, latency: summarize(latencies) };
}

async function closeAll() {
  const closers = pairs.flatMap((p) => p.closers).concat(idle);
  pairs = [];
  idle = [];
  await Promise.all(closers.map((close) => Promise.resolve(close()).catch(() => {})));
  await sleep(100);
  return { closed: closers.length };
}

serve({ openPairs, openIdle, saturate, steady, closeAll }, { onExit: closeAll });
