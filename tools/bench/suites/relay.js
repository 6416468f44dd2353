/**
 * Relay server figures. For each server (the minimal `ws` forwarder, the seeds/002 design, ours)
 * in its own process, a load generator process opens N paired clients and measures:
 *  - forwarded messages per second, closed loop (each pair keeps one message in flight);
 *  - latency p50/p99 at a steady rate: half of what the minimal forwarder forwarded saturated;
 *  - memory per idle connection (heap + external after GC) with M idle connections;
 *  - scale-out: the same pairs split over two of our instances on Redis (h5 on one, miniapp on
 *    the other) against one instance.
 */
const goals = require('../lib/goals');
const { skipped } = require('../lib/results');
const { isolated } = require('../lib/isolated');
const { startServerHost, startLoadgen } = require('../lib/hosts');
const { withRedis } = require('../lib/redis');
const { sleep } = require('../lib/worker');

const FULL = { pairs: 1000, durationMs: 4000, warmupMs: 1000, steadyMs: 4000, idle: 5000 };
const QUICK = { pairs: 1000, durationMs: 1500, warmupMs: 500, steadyMs: 1500, idle: 1000 };

const SERVERS = { minimal: 'minimal ws forwarder', seed002: 'seeds/002 design (express-ws)', ours: 'our relay' };

/** Pairs forwarding on one server: saturated throughput, then latency at `rate` (if given). */
async function measureForwarding(spawn, kind, p, rate, log) {
  const { url } = await startServerHost(spawn, kind);
  const loadgen = startLoadgen(spawn);
  await loadgen.request('openPairs', { url, count: p.pairs, resume: kind === 'ours' });
  const saturated = await loadgen.request('saturate', { window: 1, durationMs: p.durationMs, warmupMs: p.warmupMs });
  const steadyRate = rate || Math.max(100, Math.round(saturated.perSecond / 2));
  const steady = await loadgen.request('steady', { rate: steadyRate, durationMs: p.steadyMs });
  await loadgen.request('closeAll');
  log(`${SERVERS[kind]}: ${Math.round(saturated.perSecond)} msg/s saturated; at ${steadyRate} msg/s p50 ${steady.latency.p50?.toFixed(2)} ms p99 ${steady.latency.p99?.toFixed(2)} ms (${steady.received}/${steady.sent})`);
  return { perSecond: saturated.perSecond, steadyRate, steady };
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

  const minimal = await isolated((spawn) => measureForwarding(spawn, 'minimal', p, 0, log));
  const rate = minimal.steadyRate;
  const seed = await isolated((spawn) => measureForwarding(spawn, 'seed002', p, rate, log));
  const ours = await isolated((spawn) => measureForwarding(spawn, 'ours', p, rate, log));

  figures.push({ figure: `relay (reference): seeds/002 design msg/s vs minimal, ${pairsText}`, ours: seed.perSecond, baseline: minimal.perSecond, unit: 'msg/s', goal: goals.info('reference') });
  const throughputGoal = goals.ratioAtLeast(0.8, 'minimal forwarder');
  const aheadGoal = goals.ratioAtLeast(1, 'seeds/002');
  const p99Goal = goals.below(10, ' ms');
  if (ours.notLanded) {
    for (const [figure, unit, goal] of [
      [`relay: forwarded msg/s vs minimal, ${pairsText}`, 'msg/s', throughputGoal],
      [`relay: forwarded msg/s vs seeds/002, ${pairsText}`, 'msg/s', aheadGoal],
      [`relay: p99 latency at ${rate} msg/s`, 'ms', p99Goal],
    ]) figures.push(skipped(figure, unit, goal, ours.notLanded));
  } else {
    figures.push({ figure: `relay: forwarded msg/s vs minimal, ${pairsText}`, ours: ours.perSecond, baseline: minimal.perSecond, unit: 'msg/s', goal: throughputGoal });
    figures.push({ figure: `relay: forwarded msg/s vs seeds/002, ${pairsText}`, ours: ours.perSecond, baseline: seed.perSecond, unit: 'msg/s', goal: aheadGoal });
    figures.push({ figure: `relay: p50 latency at ${rate} msg/s`, ours: ours.steady.latency.p50, baseline: minimal.steady.latency.p50, unit: 'ms', goal: goals.info('vs minimal') });
    figures.push({ figure: `relay: p99 latency at ${rate} msg/s`, ours: ours.steady.latency.p99, baseline: minimal.steady.latency.p99, unit: 'ms', goal: p99Goal, note: `${ours.steady.received}/${ours.steady.sent} delivered` });
  }
  figures.push({ figure: `relay (reference): minimal forwarder p99 at ${rate} msg/s`, ours: minimal.steady.latency.p99, baseline: null, unit: 'ms', goal: goals.info('reference'), note: `${minimal.steady.received}/${minimal.steady.sent} delivered` });

  const idleText = `${p.idle.toLocaleString('en-US')} idle connections`;
  const memoryGoal = goals.below(10 * 1024, ' B');
  const minimalMemory = await isolated((spawn) => measureIdleMemory(spawn, 'minimal', p.idle, log));
  const oursMemory = await isolated((spawn) => measureIdleMemory(spawn, 'ours', p.idle, log));
  if (oursMemory.notLanded) figures.push(skipped(`relay: memory per connection, ${idleText}`, 'B', memoryGoal, oursMemory.notLanded));
  else figures.push({ figure: `relay: memory per connection, ${idleText}`, ours: oursMemory.perConnection, baseline: minimalMemory.perConnection, unit: 'B', goal: memoryGoal, note: `rss +${Math.round(oursMemory.rssPerConnection)} B each` });

  figures.push(await scaleOut(p, ours, log));
  return figures;
}

/** The same pairs over two of our instances joined by Redis, against one instance. */
async function scaleOut(p, single, log) {
  const figure = `relay: scale-out, 2 instances over Redis vs 1, ${p.pairs.toLocaleString('en-US')} pairs`;
  const goal = goals.info('reported');
  if (single.notLanded) return skipped(figure, 'msg/s', goal, single.notLanded);
  const result = await withRedis(async (redisUrl) =>
    isolated(async (spawn) => {
      const a = await startServerHost(spawn, 'ours', { redisUrl });
      const b = await startServerHost(spawn, 'ours', { redisUrl });
      const loadgen = startLoadgen(spawn);
      await loadgen.request('openPairs', { url: a.url, peerUrl: b.url, count: p.pairs, resume: true });
      const saturated = await loadgen.request('saturate', { window: 1, durationMs: p.durationMs, warmupMs: p.warmupMs });
      await loadgen.request('closeAll');
      log(`two instances over Redis: ${Math.round(saturated.perSecond)} msg/s`);
      return saturated;
    }),
  );
  if (result.skipped) return skipped(figure, 'msg/s', goal, result.skipped);
  if (result.notLanded) return skipped(figure, 'msg/s', goal, result.notLanded);
  return { figure, ours: result.perSecond, baseline: single.perSecond, unit: 'msg/s', goal };
}

module.exports = { run };
