/**
 * Relay server figures. For each server (the minimal `ws` forwarder, the old express-ws relay design, ours)
 * in its own process, a load generator process opens N paired clients and measures:
 *  - forwarded messages per second, closed loop (each pair keeps 4 messages in flight: with one,
 *    the loop is bound by round trips rather than by the server);
 *  - latency p50/p99 at a steady rate: a fifth of what the minimal forwarder forwarded saturated;
 *  - memory per idle connection (heap + external after GC) with M idle connections;
 *  - scale-out: the same pairs split over two of our instances on Redis (h5 on one, miniapp on
 *    the other) against one instance.
 */
const goals = require('../lib/goals');
const { isolated } = require('../lib/isolated');
const { startServerHost, startLoadgen } = require('../lib/hosts');
const { withRedis } = require('../lib/redis');
const { sleep } = require('../lib/worker');

const FULL = { pairs: 1000, window: 4, durationMs: 3000, warmupMs: 1000, steadyMs: 3000, rounds: 3, idle: 5000 };
const QUICK = { pairs: 1000, window: 4, durationMs: 1500, warmupMs: 500, steadyMs: 1500, rounds: 1, idle: 1000 };

const SERVERS = { minimal: 'minimal ws forwarder', 'express-ws-relay': 'old express-ws relay design', ours: 'our relay' };
const KINDS = Object.keys(SERVERS);

/** One server process and one load generator with its pairs open, per kind. */
async function openRig(spawn, kind, p) {
  const { url } = await startServerHost(spawn, kind);
  const loadgen = startLoadgen(spawn);
  await loadgen.request('openPairs', { url, count: p.pairs, resume: kind === 'ours' });
  return { kind, loadgen };
}

/**
 * The three servers side by side, measured in turns for `rounds` rounds so a busy moment on the
 * machine hits them alike; each keeps its best round. Throughput first (closed loop), then
 * latency at a steady rate the minimal forwarder handles: a fifth of its best throughput.
 */
async function measureForwarding(spawn, p, log) {
  const rigs = [];
  for (const kind of KINDS) rigs.push(await openRig(spawn, kind, p));
  const best = Object.fromEntries(rigs.map((r) => [r.kind, { perSecond: 0, steady: null }]));
  for (let round = 0; round < p.rounds; round++) {
    for (const rig of rigs) {
      const saturated = await rig.loadgen.request('saturate', { window: p.window, durationMs: p.durationMs, warmupMs: p.warmupMs });
      best[rig.kind].perSecond = Math.max(best[rig.kind].perSecond, saturated.perSecond);
    }
  }
  const rate = Math.max(100, Math.round(best.minimal.perSecond / 5));
  for (let round = 0; round < p.rounds; round++) {
    for (const rig of rigs) {
      const steady = await rig.loadgen.request('steady', { rate, durationMs: p.steadyMs });
      const kept = best[rig.kind].steady;
      if (!kept || steady.latency.p99 < kept.latency.p99) best[rig.kind].steady = steady;
    }
  }
  for (const rig of rigs) {
    await rig.loadgen.request('closeAll');
    const b = best[rig.kind];
    log(`${SERVERS[rig.kind]}: ${Math.round(b.perSecond)} msg/s saturated; at ${rate} msg/s p50 ${b.steady.latency.p50?.toFixed(2)} ms p99 ${b.steady.latency.p99?.toFixed(2)} ms (${b.steady.received}/${b.steady.sent})`);
  }
  return { rate, ...best };
}

/** Idle connections on one server: bytes each (heap + external growth after GC). */
async function measureIdleMemory(spawn, kind, count, log) {
  const { host, url } = await startServerHost(spawn, kind);
  const loadgen = startLoadgen(spawn);
  const before = await host.request('memory');
  const { open } = await loadgen.request('openIdle', { url, count, resume: kind === 'ours' });
  await sleep(300);
  const after = await host.request('memory');
  await loadgen.request('closeAll');
  const perConnection = (after.heapUsed + after.external - before.heapUsed - before.external) / open;
  log(`${SERVERS[kind]}: ${open} idle connections, ${Math.round(perConnection)} B each (rss +${Math.round((after.rss - before.rss) / open)} B each)`);
  return { perConnection, rssPerConnection: (after.rss - before.rss) / open, open };
}

async function run({ quick, log }) {
  const p = quick ? QUICK : FULL;
  const figures = [];
  const pairsText = `${p.pairs.toLocaleString('en-US')} pairs`;

  const { rate, minimal, 'express-ws-relay': oldRelay, ours } = await isolated((spawn) => measureForwarding(spawn, p, log));

  figures.push({ figure: `relay (reference): old express-ws relay msg/s vs minimal, ${pairsText}`, ours: oldRelay.perSecond, baseline: minimal.perSecond, unit: 'msg/s', goal: goals.info('reference') });
  const throughputGoal = goals.ratioAtLeast(0.8, 'minimal forwarder');
  const aheadGoal = goals.ratioAtLeast(1, 'old express-ws relay');
  const p99Goal = goals.below(10, ' ms');
  figures.push({ figure: `relay: forwarded msg/s vs minimal, ${pairsText}`, ours: ours.perSecond, baseline: minimal.perSecond, unit: 'msg/s', goal: throughputGoal });
  figures.push({ figure: `relay: forwarded msg/s vs old express-ws relay, ${pairsText}`, ours: ours.perSecond, baseline: oldRelay.perSecond, unit: 'msg/s', goal: aheadGoal });
  figures.push({ figure: `relay: p50 latency at ${rate} msg/s`, ours: ours.steady.latency.p50, baseline: minimal.steady.latency.p50, unit: 'ms', goal: goals.info('vs minimal') });
  figures.push({ figure: `relay: p99 latency at ${rate} msg/s`, ours: ours.steady.latency.p99, baseline: minimal.steady.latency.p99, unit: 'ms', goal: p99Goal, note: `${ours.steady.received}/${ours.steady.sent} delivered` });
  figures.push({ figure: `relay (reference): minimal forwarder p99 at ${rate} msg/s`, ours: minimal.steady.latency.p99, baseline: null, unit: 'ms', goal: goals.info('reference'), note: `${minimal.steady.received}/${minimal.steady.sent} delivered` });

  const idleText = `${p.idle.toLocaleString('en-US')} idle connections`;
  const memoryGoal = goals.below(10 * 1024, ' B');
  const minimalMemory = await isolated((spawn) => measureIdleMemory(spawn, 'minimal', p.idle, log));
  const oursMemory = await isolated((spawn) => measureIdleMemory(spawn, 'ours', p.idle, log));
  figures.push({ figure: `relay: memory per connection, ${idleText}`, ours: oursMemory.perConnection, baseline: minimalMemory.perConnection, unit: 'B', goal: memoryGoal, note: `rss +${Math.round(oursMemory.rssPerConnection)} B each` });

  figures.push(await scaleOut(p, ours, log));
  return figures;
}

/** The same pairs over two of our instances joined by Redis, against one instance. */
async function scaleOut(p, single, log) {
  const figure = `relay: scale-out, 2 instances over Redis vs 1, ${p.pairs.toLocaleString('en-US')} pairs`;
  const goal = goals.info('reported');
  const result = await withRedis(async (redisUrl) =>
    isolated(async (spawn) => {
      const a = await startServerHost(spawn, 'ours', { redisUrl });
      const b = await startServerHost(spawn, 'ours', { redisUrl });
      const loadgen = startLoadgen(spawn);
      await loadgen.request('openPairs', { url: a.url, peerUrl: b.url, count: p.pairs, resume: true });
      const saturated = await loadgen.request('saturate', { window: p.window, durationMs: p.durationMs, warmupMs: p.warmupMs });
      await loadgen.request('closeAll');
      log(`two instances over Redis: ${Math.round(saturated.perSecond)} msg/s`);
      return saturated;
    }),
  );
  return { figure, ours: result.perSecond, baseline: single.perSecond, unit: 'msg/s', goal };
}

module.exports = { run };
