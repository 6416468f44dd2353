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
