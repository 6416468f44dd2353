/**
 * Ours against socket.io 4.8 (the peer users pick instead), both through their own client and
 * server, same load shape: N pairs, each sender's message going through the server to its peer.
 * socket.io runs websocket-only with perMessageDeflate off on both sides (baselines/socketio-server,
 * hosts/pair-load). Both rigs are open at once and measured in alternating slices, so a busy moment
 * on the machine hits both alike; each keeps its best slice. Figures:
 *  - closed-loop throughput, fire and forget; acked on the server (our `accepted` vs `emitWithAck`
 *    acked by the server); acked by the peer (our `delivered` vs `emitWithAck` acked by the peer);
 *  - p99 at a fixed rate (a fifth of socket.io's fire-and-forget best), of arrival and of acks;
 *  - client and server CPU per message (process.cpuUsage in each process, apart);
 *  - memory per idle connection on the server (heap + external after GC);
 *  - two instances over Redis (ours vs @socket.io/redis-adapter), fire and forget.
 * With `compare` (`--compare DIR`, another built checkout) a third rig, ours from DIR, takes part in
 * the same alternating slices, and the throughput, p99 and CPU figures are also given against it.
 */
const goals = require('../lib/goals');
const { isolated } = require('../lib/isolated');
const { startServerHost } = require('../lib/hosts');
const { withRedis } = require('../lib/redis');
const { percentile } = require('../lib/stats');
const path = require('path');

const HERE = path.resolve(__dirname, '../../..');
const pairLoadIn = (root) => path.join(root, 'tools/bench/hosts/pair-load.js');
const FULL = { pairs: 100, window: 4, durationMs: 2000, warmupMs: 500, steadyMs: 2000, rounds: 2, idle: 500 };
const QUICK = { pairs: 50, window: 4, durationMs: 1000, warmupMs: 300, steadyMs: 1000, rounds: 1, idle: 200 };
/** The rigs measured side by side: ours, socket.io, and ours from `compare` when given. */
const rigSpecs = (compare) => [
  { label: 'ours', kind: 'ours', root: HERE },
  { label: 'socketio', kind: 'socketio', root: HERE },
  ...(compare ? [{ label: 'compared', kind: 'ours', root: compare }] : []),
];
const KINDS = rigSpecs().map((spec) => spec.kind);
const MODES = { fire: 'fire and forget', server: 'acked by the server', peer: 'acked by the peer' };

const urlOf = (kind, port) => (kind === 'ours' ? `ws://127.0.0.1:${port}/socket` : `http://127.0.0.1:${port}`);

/** A server of the spec's kind (with redisUrl: two of them) and a pair-load process with its pairs open. */
async function openRig(spawn, { label, kind, root }, p, redisUrl) {
  const a = await startServerHost(spawn, kind, { redisUrl }, root);
  const b = redisUrl ? await startServerHost(spawn, kind, { redisUrl }, root) : a;
  const load = spawn(pairLoadIn(root), { timeoutMs: 120_000 });
  await load.request('openPairs', { kind, url: urlOf(kind, a.port), peerUrl: urlOf(kind, b.port), count: p.pairs });
  return { label, load, hosts: redisUrl ? [a.host, b.host] : [a.host] };
}

const serverCpu = async (rig) => (await Promise.all(rig.hosts.map((h) => h.request('cpu')))).reduce((s, c) => s + c.micros, 0);

/** One closed-loop slice; CPU per message over the whole slice, each process apart. */
async function slice(rig, mode, p) {
  const before = await serverCpu(rig);
  const r = await rig.load.request('saturate', { mode, window: p.window, durationMs: p.durationMs, warmupMs: p.warmupMs });
  const server = (await serverCpu(rig)) - before;
  return { perSecond: r.perSecond, clientCpu: r.clientCpuMicros / r.total, serverCpu: server / r.total };
}

/** Every slice per rig label and mode over `rounds` rounds, rigs alternating within a round. */
async function alternate(rigs, modes, rounds, measure) {
  const slices = {};
  for (const rig of rigs) slices[rig.label] = {};
  for (let round = 0; round < rounds; round++) {
    for (const mode of modes) {
      for (const rig of rigs) (slices[rig.label][mode] ||= []).push(await measure(rig, mode));
    }
  }
  return slices;
}

/** The best of each rig's slices per mode (`better(a, b)`: a beats b). */
function pickBest(slices, better) {
  const best = {};
  for (const [label, modes] of Object.entries(slices)) {
    best[label] = {};
    for (const [mode, list] of Object.entries(modes)) best[label][mode] = list.reduce((kept, s) => (better(s, kept) ? s : kept));
  }
  return best;
}

const moreMessages = (a, b) => a.perSecond > b.perSecond;
const lowerP99 = (a, b) => a.latency.p99 < b.latency.p99;

/** One unmeasured slice per rig and mode (JIT, socket buffers) before the measured ones. */
async function warmUp(rigs, p) {
  for (const mode of Object.keys(MODES)) {
    for (const rig of rigs) await rig.load.request('saturate', { mode, window: p.window, durationMs: p.warmupMs, warmupMs: 0 });
  }
}

async function sideBySide(spawn, p, log, compare) {
  const specs = rigSpecs(compare);
  const rigs = [];
  for (const spec of specs) rigs.push(await openRig(spawn, spec, p));
  await warmUp(rigs, p);
  const modes = Object.keys(MODES);
  const saturatedSlices = await alternate(rigs, modes, p.rounds, (rig, mode) => slice(rig, mode, p));
  const saturated = pickBest(saturatedSlices, moreMessages);
  const rate = Math.max(100, Math.round(saturated.socketio.fire.perSecond / 5));
  const steadySlices = await alternate(rigs, modes, p.rounds, (rig, mode) => rig.load.request('steady', { mode, rate, durationMs: p.steadyMs }));
  const steady = pickBest(steadySlices, lowerP99);
  for (const rig of rigs) await rig.load.request('closeAll');
  for (const { label } of specs) {
    for (const mode of Object.keys(MODES)) {
      const s = saturated[label][mode];
      const l = steady[label][mode];
      log(`${label} ${mode}: ${Math.round(s.perSecond)} msg/s, cpu/msg client ${s.clientCpu.toFixed(1)} µs server ${s.serverCpu.toFixed(1)} µs; at ${rate} msg/s p99 ${l.latency.p99?.toFixed(2)} ms (${l.done}/${l.sent})`);
    }
  }
  return { rate, saturated, steady, slices: { saturated: saturatedSlices, steady: steadySlices } };
}

async function idleMemory(spawn, kind, count, log) {
  const { host, port } = await startServerHost(spawn, kind);
  const load = spawn(pairLoadIn(HERE), { timeoutMs: 120_000 });
  const before = await host.request('memory');
  const { open } = await load.request('openIdle', { kind, url: urlOf(kind, port), count });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const after = await host.request('memory');
  await load.request('closeAll');
  const perConnection = (after.heapUsed + after.external - before.heapUsed - before.external) / open;
  log(`${kind}: ${open} idle connections, ${Math.round(perConnection)} B each (rss +${Math.round((after.rss - before.rss) / open)} B each)`);
  return perConnection;
}

async function overRedis(p, log) {
  return withRedis((redisUrl) =>
    isolated(async (spawn) => {
      const rigs = [];
      for (const spec of rigSpecs()) rigs.push(await openRig(spawn, spec, p, redisUrl));
      await warmUp(rigs, p);
      const best = pickBest(await alternate(rigs, ['fire'], p.rounds, (rig, mode) => slice(rig, mode, p)), moreMessages);
      for (const rig of rigs) await rig.load.request('closeAll');
      for (const kind of KINDS) log(`${kind}, two instances over Redis: ${Math.round(best[kind].fire.perSecond)} msg/s`);
      return best;
    }),
  );
}

function figures(p, { rate, saturated, steady, slices }, memory, redis) {
  const pairs = `${p.pairs} pairs`;
  const vs = 'socket.io';
  const out = [];
  const throughputGoals = { fire: goals.ratioAtLeast(1.5, vs), server: goals.ratioAtLeast(1.2, vs), peer: goals.ratioAtLeast(2, vs) };
  for (const mode of Object.keys(MODES)) {
    const [o, s] = [saturated.ours[mode], saturated.socketio[mode]];
    out.push({ figure: `vs socket.io: msg/s ${MODES[mode]}, ${pairs}`, ours: o.perSecond, baseline: s.perSecond, unit: 'msg/s', goal: throughputGoals[mode] });
  }
  const p99Goals = { fire: goals.ratioAtMost(0.7, vs), server: goals.ratioAtMost(0.8, vs), peer: goals.ratioAtMost(0.8, vs) };
  for (const mode of Object.keys(MODES)) {
    const [o, s] = [steady.ours[mode], steady.socketio[mode]];
    const what = mode === 'fire' ? 'arrival' : `ack (${MODES[mode]})`;
    out.push({ figure: `vs socket.io: ${what} p99 at ${rate} msg/s`, ours: o.latency.p99, baseline: s.latency.p99, unit: 'ms', goal: p99Goals[mode], note: `ours ${o.done}/${o.sent}, socket.io ${s.done}/${s.sent}` });
  }
  for (const mode of Object.keys(MODES)) {
    for (const side of ['client', 'server']) {
      const key = `${side}Cpu`;
      out.push({ figure: `vs socket.io: ${side} CPU per message, ${MODES[mode]}`, ours: saturated.ours[mode][key], baseline: saturated.socketio[mode][key], unit: 'µs', goal: goals.info('reported') });
    }
  }
  out.push({ figure: `vs socket.io: memory per idle connection, ${p.idle} connections`, ours: memory.ours, baseline: memory.socketio, unit: 'B', goal: goals.ratioAtMost(0.5, vs) });
  out.push({ figure: `vs socket.io: two instances over Redis, msg/s, ${pairs}`, ours: redis.ours.fire.perSecond, baseline: redis.socketio.fire.perSecond, unit: 'msg/s', goal: goals.ratioAtLeast(2, '@socket.io/redis-adapter') });
  if (saturated.compared) out.push(...againstCompared(p, rate, slices));
  return out;
}

/**
 * This tree against the `--compare` checkout, from the same alternating slices: the median of each
 * rig's slices (a best of few slices cannot resolve a change of 10-20 % on a drifting machine).
 */
function againstCompared(p, rate, slices) {
  const goal = goals.info('reported (--compare)');
  const median = (label, kind, mode, value) => percentile(slices[kind][label][mode].map(value).sort((a, b) => a - b), 50);
  const rounds = `median of ${p.rounds} rounds`;
  const out = [];
  for (const mode of Object.keys(MODES)) {
    const row = (what, kind, value, unit) => ({ figure: `vs --compare: ${what}, ${rounds}`, ours: median('ours', kind, mode, value), baseline: median('compared', kind, mode, value), unit, goal });
    out.push(row(`msg/s ${MODES[mode]}, ${p.pairs} pairs`, 'saturated', (s) => s.perSecond, 'msg/s'));
    out.push(row(`p99 ${MODES[mode]} at ${rate} msg/s`, 'steady', (s) => s.latency.p99, 'ms'));
    out.push(row(`client CPU per message, ${MODES[mode]}`, 'saturated', (s) => s.clientCpu, 'µs'));
  }
  return out;
}

async function run({ quick, log, sizes, compare, rounds }) {
  const p = { ...(quick ? QUICK : FULL), ...sizes, ...(rounds ? { rounds } : {}) };
  const measured = await isolated((spawn) => sideBySide(spawn, p, log, compare));
  const memory = {};
  for (const kind of KINDS) memory[kind] = await isolated((spawn) => idleMemory(spawn, kind, p.idle, log));
  const redis = await overRedis(p, log);
  return figures(p, measured, memory, redis);
}

module.exports = { run };
