/**
 * Load generator process (forked by the runner). Opens paired clients (token i: `h5` + `miniapp`)
 * on a relay, drives messages from each h5 client to its peer and measures forwarded messages per
 * second and latency. Every loop is bounded by a duration and stops by itself; `closeAll` ends
 * every socket. Connects only to the URL it is given (127.0.0.1 in the runner).
 */
const { performance } = require('perf_hooks');
const WebSocket = require('ws');
const { serve, sleep } = require('../lib/worker');
const { summarize } = require('../lib/stats');
const { openMany } = require('../lib/connect');
const { paceOpenLoop } = require('../lib/open-loop');

let pairs = []; // { h5, miniapp }
let idle = [];

/**
 * Protocol clients (our relay) send `resume` right after open, as docs/protocol.md asks; without
 * it the relay waits `resumeWaitMs` before serving them live.
 */
function sendResume(sockets) {
  for (const ws of sockets) ws.send('{"type":"resume","lastSeq":0}');
}

/** `peerUrl`: where the miniapp side connects (another instance, for the scale-out figure). */
async function openPairs({ url, peerUrl = url, count, tokenPrefix = 't', concurrency = 100, timeoutMs = 5000, resume = false }) {
  const specs = [];
  for (let i = 0; i < count; i++) {
    const token = `${tokenPrefix}${i}`;
    // v=1: these clients speak our protocol (the relay serves a URL without `v` as an old client).
    specs.push(`${url}?token=${token}&env=h5&v=1`, `${peerUrl}?token=${token}&env=miniapp&v=1`);
  }
  const sockets = await openMany(specs, { concurrency, timeoutMs });
  if (resume) sendResume(sockets);
  for (let i = 0; i < sockets.length; i += 2) {
    const pair = { index: pairs.length, h5: sockets[i], miniapp: sockets[i + 1], lastSeq: 0, unconfirmed: 0 };
    pair.miniapp.on('message', (data) => onMiniappFrame(pair, data.toString(), resume));
    pairs.push(pair);
  }
  // Let the server's hello/presence frames pass before anything is measured.
  await sleep(200);
  return { pairs: pairs.length };
}

/** Idle connections for the memory figure: each its own token, nothing sent. */
async function openIdle({ url, count, concurrency = 200, timeoutMs = 5000, resume = false }) {
  const specs = [];
  for (let i = 0; i < count; i++) specs.push(`${url}?token=idle${i}&env=${i % 2 ? 'h5' : 'miniapp'}&v=1`);
  const sockets = await openMany(specs, { concurrency, timeoutMs });
  if (resume) sendResume(sockets);
  idle = idle.concat(sockets);
  return { open: idle.filter((ws) => ws.readyState === WebSocket.OPEN).length };
}

// A chat-sized message (about 150 bytes of UTF-8); `s` is the send time on this process's clock.
const TEXT = 'Benchmark message 基准消息: the quick brown fox jumps over the lazy dog 0123456789';
const encode = (pair, sentAt) => `{"type":"message","data":{"p":${pair},"text":"${TEXT}","s":${sentAt}}}`;

/** The send time in a forwarded message, read without a full JSON.parse (cheap for the generator). */
function sentAtOf(text) {
  const at = text.indexOf('"s":');
  return at < 0 ? NaN : parseFloat(text.slice(at + 4, at + 40));
}

/**
 * Like our SocketClient (its `confirmEvery`, default 64), a protocol client confirms what it
 * received: a `ping` with `lastSeq` after every CONFIRM_EVERY relay frames, so the relay trims its
 * replay backlog as it would for real clients. See docs/benchmarks.md.
 */
const CONFIRM_EVERY = 64;
const SEQ_PREFIX = '{"seq":';

/** The current measurement's callback: onArrival(pairIndex, latencyMs), or null between phases. */
let onArrival = null;

function onMiniappFrame(pair, text, confirms) {
  if (confirms && text.startsWith(SEQ_PREFIX)) {
    pair.lastSeq = parseInt(text.slice(SEQ_PREFIX.length, SEQ_PREFIX.length + 20), 10);
    if (++pair.unconfirmed >= CONFIRM_EVERY) {
      pair.unconfirmed = 0;
      if (pair.miniapp.readyState === WebSocket.OPEN) pair.miniapp.send(`{"type":"ping","lastSeq":${pair.lastSeq}}`);
    }
  }
  if (!onArrival) return;
  const sentAt = sentAtOf(text);
  if (Number.isFinite(sentAt)) onArrival(pair.index, performance.now() - sentAt); // hello, presence…: skipped
}

/** Calls `callback(pairIndex, latencyMs)` for each benchmark message the miniapp side receives. */
function listen(callback) {
  onArrival = callback;
  return () => {
    onArrival = null;
  };
}

function send(i) {
  const ws = pairs[i].h5;
  if (ws.readyState === WebSocket.OPEN) ws.send(encode(i, performance.now()));
}

/**
 * Closed loop: every pair keeps `window` messages in flight for `durationMs` (after `warmupMs`);
 * returns messages delivered per second in the measured span.
 */
async function saturate({ window = 1, durationMs = 3000, warmupMs = 500 }) {
  if (!pairs.length) throw new Error('open pairs first');
  const start = performance.now();
  const measureFrom = start + warmupMs;
  const deadline = measureFrom + durationMs;
  let delivered = 0;
  const latencies = [];
  const stop = listen((i, latency) => {
    const now = performance.now();
    if (now >= measureFrom && now < deadline) {
      delivered++;
      latencies.push(latency);
    }
    if (now < deadline) send(i);
  });
  for (let i = 0; i < pairs.length; i++) for (let k = 0; k < window; k++) send(i);
  await sleep(warmupMs + durationMs);
  stop();
  await sleep(200); // let the last in-flight messages drain before the next phase
  return { delivered, perSecond: delivered / (durationMs / 1000), latency: summarize(latencies) };
}

/** Open loop: `rate` messages per second in total, round-robin over the pairs, for `durationMs`. */
async function steady({ rate, durationMs = 3000, drainMs = 2000, tickMs = 5 }) {
  if (!pairs.length) throw new Error('open pairs first');
  const latencies = [];
  const stop = listen((_i, latency) => latencies.push(latency));
  const sent = await paceOpenLoop({
    rate, durationMs, drainMs, tickMs,
    sendOne: (k) => send(k % pairs.length),
    arrived: () => latencies.length,
  });
  stop();
  return { sent, received: latencies.length, latency: summarize(latencies) };
}

function closeSockets(list) {
  return Promise.all(
    list.map(
      (ws) =>
        new Promise((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          const timer = setTimeout(() => {
            ws.terminate();
            resolve();
          }, 1000);
          ws.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          ws.close();
        }),
    ),
  );
}

async function closeAll() {
  const all = pairs.flatMap((p) => [p.h5, p.miniapp]).concat(idle);
  pairs = [];
  idle = [];
  await closeSockets(all);
  return { closed: all.length };
}

serve({ openPairs, openIdle, saturate, steady, closeAll }, { onExit: closeAll });
