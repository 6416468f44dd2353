/** The relay's metrics sink: counts for relay.metrics(), durations only when exported. */
import { MetricsTimings, RelayMetrics } from '../../src/server/metrics';

test('every sink call counts; counts default to 1', () => {
  const m = new RelayMetrics();
  m.connectionOpened();
  m.received();
  m.received();
  m.forwarded(3);
  m.delivered();
  m.delivered(4);
  m.dropped('backlog_overflow', 2);
  m.dropped('slow_consumer');
  m.trimmed('expired', 5);
  m.trimmed('items');
  m.rejected('too_large');
  m.closed(1009);
  m.closed(1009);
  m.replayed(120);
  m.acked(2);
  expect(m.snapshot(7, 3)).toEqual({
    connections: 7,
    pairs: 3,
    connectionsTotal: 1,
    messagesReceived: 2,
    messagesForwarded: 1,
    messagesDelivered: 5,
    replayed: 1,
    acks: 1,
    drops: { backlog_overflow: 2, slow_consumer: 1 },
    trims: { items: 1, bytes: 0, expired: 5 },
    rejects: { unauthorized: 0, forbidden: 0, bad_request: 0, shutting_down: 0, bad_frame: 0, too_large: 1, rate_limited: 0, offline: 0 },
    closes: { 1009: 2 },
  });
});

test('durations go to the timings when metrics are exported, and nowhere otherwise', () => {
  const seen: Array<[string, number]> = [];
  const timings: MetricsTimings = {
    forwardLatency: (ms) => seen.push(['forward', ms]),
    backlogAge: (ms) => seen.push(['age', ms]),
    ackLatency: (ms) => seen.push(['ack', ms]),
  };
  const m = new RelayMetrics();
  m.forwarded(1);
  m.replayed(2);
  m.acked(3);
  expect(seen).toEqual([]);
  m.timings = timings;
  m.forwarded(4);
  m.forwarded(); // latency unknown: counted, not timed
  m.replayed(5);
  m.acked(6);
  expect(seen).toEqual([['forward', 4], ['age', 5], ['ack', 6]]);
  expect(m.snapshot(0, 0)).toMatchObject({ messagesForwarded: 3, replayed: 2, acks: 2 });
});

describe('prom-client export', () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { exportPrometheus } = require('../../src/server/prometheus');
  const gauges = (m: RelayMetrics) => () => m.snapshot(4, 2);

  test('histograms observe the sink durations in seconds; counters and gauges read the counts at scrape', async () => {
    const m = new RelayMetrics();
    const exported = exportPrometheus(m, gauges(m));
    m.forwarded(2);
    m.forwarded(30);
    m.replayed(90_000);
    m.acked(1);
    m.dropped('slow_consumer', 2);
    m.closed(4009);
    const text: string = await exported.render();
    expect(text).toMatch(/^hybrid_kit_forward_latency_seconds_count 2$/m);
    expect(text).toMatch(/^hybrid_kit_forward_latency_seconds_sum 0\.032$/m);
    expect(text).toMatch(/^hybrid_kit_forward_latency_seconds_bucket\{le="0\.0025"\} 1$/m);
    expect(text).toMatch(/^hybrid_kit_forward_latency_seconds_bucket\{le="0\.05"\} 2$/m);
    expect(text).toMatch(/^hybrid_kit_backlog_age_seconds_bucket\{le="60"\} 0$/m);
    expect(text).toMatch(/^hybrid_kit_backlog_age_seconds_bucket\{le="300"\} 1$/m);
    expect(text).toMatch(/^hybrid_kit_ack_latency_seconds_count 1$/m);
    expect(text).toMatch(/^hybrid_kit_connections 4$/m);
    expect(text).toMatch(/^hybrid_kit_pairs 2$/m);
    expect(text).toMatch(/^hybrid_kit_drops_total\{reason="slow_consumer"\} 2$/m);
    expect(text).toMatch(/^hybrid_kit_closes_total\{code="4009"\} 1$/m);
    // Counters follow the relay's counts from scrape to scrape (never reset by a scrape).
    m.closed(4009);
    expect(await exported.render()).toMatch(/^hybrid_kit_closes_total\{code="4009"\} 2$/m);
    exported.close();
    m.forwarded(5); // no export any more: counted, not timed
    expect(m.timings).toBeNull();
  });

  test('two relays cannot share one registry silently: the second registration throws', () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const prom = require('prom-client');
    const registry = new prom.Registry();
    const a = new RelayMetrics();
    exportPrometheus(a, gauges(a), { registry });
    expect(() => exportPrometheus(new RelayMetrics(), gauges(a), { registry })).toThrow(/already been registered/);
  });
});

describe('metrics endpoint', () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { createMetricsEndpoint } = require('../../src/server/metrics-endpoint');
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { resolveOptions } = require('../../src/server/options');
  const warnings = async (options: object) => {
    const seen: string[] = [];
    const m = new RelayMetrics();
    const endpoint = createMetricsEndpoint(resolveOptions(options), m, () => m.snapshot(0, 0));
    await endpoint.listen({ info: () => undefined, warn: (line: string) => seen.push(line), error: () => undefined });
    await endpoint.close();
    return seen;
  };

  test('public /metrics without a token warns at start; a token, loopback or no metrics do not', async () => {
    expect(await warnings({ host: '0.0.0.0', metrics: true })).toEqual([expect.stringMatching(/\/metrics answers anyone on 0\.0\.0\.0: set HYBRID_KIT_METRICS_TOKEN or --metrics-port/)]);
    expect(await warnings({ host: '0.0.0.0', metrics: true, metricsToken: 't' })).toEqual([]);
    expect(await warnings({ host: '127.0.0.1', metrics: true })).toEqual([]);
    expect(await warnings({ host: '0.0.0.0' })).toEqual([]);
  });
});
