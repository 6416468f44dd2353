/**
 * Client-side load process (forked by the runner): socket client throughput against an echo
 * server (our client vs a bare `ws` client), and the reconnect storm (many clients, a server
 * restart, every connection attempt timestamped). Bounded by message counts and deadlines.
 */
const { performance } = require('perf_hooks');
const WebSocket = require('ws');
const { serve, sleep } = require('../lib/worker');
const { maxInWindow } = require('../lib/stats');
const { openOne } = require('../lib/connect');
const { createSocketClient } = require('../adapters/ours');

const payload = (n) => ({ n, text: 'Benchmark message 基准消息: the quick brown fox jumps over the lazy dog' });

/**
 * Closed loop of `messages` echoes with `window` in flight. `start(sendOne)` wires the client and
 * returns a close function; the client calls `arrived()` for each echoed benchmark message.
 */
function echoLoop({ messages, window, timeoutMs }, wire) {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let received = 0;
    let began = 0;
    let client;
    const timer = setTimeout(() => finish(new Error(`only ${received}/${messages} echoes within ${timeoutMs} ms`)), timeoutMs);
    const finish = (err) => {
      clearTimeout(timer);
      const elapsed = performance.now() - began;
      Promise.resolve(client && client.close()).then(() => (err ? reject(err) : resolve({ messages: received, perSecond: received / (elapsed / 1000) })));
    };
    const sendNext = () => {
      if (sent < messages) client.send(payload(sent++));
    };
    const arrived = () => {
      received++;
      if (received === messages) finish();
      else sendNext();
    };
    wire(arrived).then((c) => {
      client = c;
      began = performance.now();
      for (let i = 0; i < window; i++) sendNext();
    }, finish);
  });
}

/** A bare `ws` client doing what an app would without a library: stringify out, parse in. */
async function bareThroughput({ url, messages, window, timeoutMs = 60_000 }) {
  return echoLoop({ messages, window, timeoutMs }, async (arrived) => {
    const ws = await openOne(url, 5000);
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type === 'message' && frame.event === 'bench') arrived();
    });
    return {
      send: (data) => ws.send(JSON.stringify({ type: 'message', event: 'bench', data })),
      close: () => new Promise((done) => (ws.once('close', done), ws.close())),
    };
  });
}

/** Our socket client: emit() out, subscribe() in; `reliable` turns ids + acks on. */
async function oursThroughput({ url, messages, window, reliable = false, timeoutMs = 60_000 }) {
  return echoLoop({ messages, window, timeoutMs }, async (arrived) => {
    const client = createSocketClient(url, { maxUnacked: Math.max(1000, window * 2) });
    client.subscribe('bench', () => arrived());
    await new Promise((resolve, reject) => {
      const offOpen = client.on('open', () => (offOpen(), resolve()));
      client.on('failed', (e) => reject(new Error(e.reason)));
      client.connect();
    });
    return {
      send: (data) => {
        const result = client.emit('bench', data, { reliable });
        if (result.error) throw result.error;
      },
      close: () => client.destroy(),
    };
  });
}

// ---- reconnect storm ----

let storm = null; // { clients, attempts[], closedAt, openCount, policy }

/** A client of the old express-ws relay's design: `ws`, reconnect after a fixed 3 s on every close. */
function fixedDelayClient(url, delayMs, onAttempt, onOpen) {
  let ws;
  let stopped = false;
  let timer;
  const connect = () => {
    onAttempt();
    ws = new WebSocket(url, { perMessageDeflate: false });
    ws.on('open', onOpen);
    ws.on('error', () => {});
    ws.on('close', () => {
      if (!stopped) timer = setTimeout(connect, delayMs);
    });
  };
  connect();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      ws.terminate();
    },
  };
}

/** Opens `clients` clients of `policy` ('fixed' | 'ours') and waits until all are open. */
async function stormOpen({ url, clients, policy, fixedDelayMs = 3000, timeoutMs = 20_000 }) {
  const s = { clients: [], attempts: [], opens: 0, policy, firstClose: null };
  storm = s;
  const onAttempt = () => s.attempts.push(performance.now());
  const onOpen = () => s.opens++;
  for (let i = 0; i < clients; i++) {
    const target = `${url}?token=storm${i}&env=${i % 2 ? 'h5' : 'miniapp'}`;
    if (policy === 'fixed') s.clients.push(fixedDelayClient(target, fixedDelayMs, onAttempt, onOpen));
    else {
      const client = createSocketClient(target, { onAttempt });
      client.on('open', onOpen);
      client.connect();
      s.clients.push({ stop: () => client.destroy() });
    }
    if (i % 100 === 99) await sleep(20); // spread the first connections: the storm is the reconnect
  }
  await waitFor(() => s.opens >= clients, timeoutMs, () => `${s.opens}/${clients} clients open`);
  s.attempts = [];
  s.opens = 0;
  return { open: clients };
}

/** After the runner restarted the server: waits for every client to be back and reports. */
async function stormReport({ restartedAt, timeoutMs = 60_000 }) {
  const s = storm;
  const started = performance.now() - (Date.now() - restartedAt);
  await waitFor(() => s.opens >= s.clients.length, timeoutMs, () => `${s.opens}/${s.clients.length} back`);
  const lastOpen = performance.now();
  const report = {
    clients: s.clients.length,
    allBackMs: lastOpen - started,
    attempts: s.attempts.length,
    maxAttemptsPer100ms: maxInWindow(s.attempts, 100),
  };
  return report;
}

function stormClose() {
  if (storm) for (const c of storm.clients) c.stop();
  storm = null;
  return { closed: true };
}

async function waitFor(done, timeoutMs, describe) {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`timed out: ${describe()}`);
    await sleep(10);
  }
}

serve({ bareThroughput, oursThroughput, stormOpen, stormReport, stormClose }, { onExit: stormClose });
