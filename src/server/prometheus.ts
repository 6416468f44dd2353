/**
 * The relay's metrics in prom-client (an optional peer, loaded only when metrics are exported):
 * gauges and counters read from RelayMetrics at scrape time, histograms of forward latency,
 * backlog age at replay and ack latency observed as they happen, and the default process
 * metrics on the relay's own registry. With `registry` the relay registers into the host
 * application's registry instead, so the application exposes one /metrics.
 */
import type * as Prom from 'prom-client';
import type { MetricsSnapshot, MetricsTimings, RelayMetrics } from './metrics';
import { requirePeer } from './peer';

/** What the relay needs of a prom-client Registry (the type keeps prom-client out of the public types). */
export interface MetricsRegistry {
  readonly contentType: string;
  metrics(): Promise<string>;
  registerMetric(metric: never): void;
}

export interface PrometheusExport {
  readonly registry: MetricsRegistry;
  /** The exposition text of the registry (this relay's metrics and whatever else it holds). */
  render(): Promise<string>;
  /** Takes this relay's metrics out of the registry (a shared registry outlives the relay). */
  close(): void;
}

const SECONDS_FAST = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const SECONDS_SLOW = [0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

type Read = (s: MetricsSnapshot) => number | Record<string, number>;
const COUNTERS: Array<[name: string, help: string, read: Read, label?: string]> = [
  ['hybrid_kit_connections_total', 'Accepted WebSocket connections.', (s) => s.connectionsTotal],
  ['hybrid_kit_messages_received_total', 'Frames received from clients.', (s) => s.messagesReceived],
  ['hybrid_kit_messages_forwarded_total', 'Frames written to a peer socket.', (s) => s.messagesForwarded],
  ['hybrid_kit_messages_delivered_total', 'Frames the receiving client confirmed.', (s) => s.messagesDelivered],
  ['hybrid_kit_replayed_total', 'Backlog frames replayed to reconnecting clients.', (s) => s.replayed],
  ['hybrid_kit_drops_total', 'Frames dropped before delivery.', (s) => s.drops, 'reason'],
  ['hybrid_kit_backlog_trims_total', 'Frames removed from a backlog unreplayed.', (s) => s.trims, 'reason'],
  ['hybrid_kit_rejects_total', 'Refused upgrades and frames.', (s) => s.rejects, 'reason'],
  ['hybrid_kit_closes_total', 'Connections closed by the server, by close code.', (s) => s.closes, 'code'],
];

/** Sets a counter to the relay's own count at scrape time (the relay counts; prom-client reports). */
function mirror(counter: Prom.Counter<string>, value: number | Record<string, number>, label?: string): void {
  counter.reset();
  if (typeof value === 'number') counter.inc(value);
  else for (const key of Object.keys(value)) counter.inc({ [label!]: key }, value[key]);
}

export interface ExportOptions {
  /** A prom-client Registry of the host application; default: a registry of the relay's own. */
  registry?: MetricsRegistry;
}

/** Registers the relay's metrics; `gauges` reads the live connection and pair counts. */
export function exportPrometheus(metrics: RelayMetrics, gauges: () => MetricsSnapshot, options: ExportOptions = {}): PrometheusExport {
  const prom = requirePeer<typeof Prom>('prom-client', 'relay metrics (metrics, metricsPort, registry)');
  const own = !options.registry;
  const registry = (options.registry as unknown as Prom.Registry) || new prom.Registry();
  const registers = [registry];
  const names: string[] = [];
  const track = <T>(name: string, metric: T): T => (names.push(name), metric);
  let scrape: MetricsSnapshot | null = null;
  const current = () => (scrape = scrape || gauges());
  track('hybrid_kit_connections', new prom.Gauge({ name: 'hybrid_kit_connections', help: 'Open WebSocket connections on this instance.', registers, collect() { this.set(current().connections); } }));
  track('hybrid_kit_pairs', new prom.Gauge({ name: 'hybrid_kit_pairs', help: 'Tokens with at least two envs connected to this instance.', registers, collect() { this.set(current().pairs); } }));
  for (const [name, help, read, label] of COUNTERS) {
    track(name, new prom.Counter({ name, help, registers, labelNames: label ? [label] : [], collect() { mirror(this, read(current()), label); } }));
  }
  const histogram = (name: string, help: string, buckets: number[]) => track(name, new prom.Histogram({ name, help, buckets, registers }));
  const forward = histogram('hybrid_kit_forward_latency_seconds', 'From a frame received to it written to the peer socket.', SECONDS_FAST);
  const age = histogram('hybrid_kit_backlog_age_seconds', 'Age of backlog frames when replayed to a reconnecting client.', SECONDS_SLOW);
  const ack = histogram('hybrid_kit_ack_latency_seconds', 'From a message received to its ack written to the sender.', SECONDS_FAST);
  const timings: MetricsTimings = {
    forwardLatency: (ms) => forward.observe(ms / 1000),
    backlogAge: (ms) => age.observe(ms / 1000),
    ackLatency: (ms) => ack.observe(ms / 1000),
  };
  metrics.timings = timings;
  if (own) prom.collectDefaultMetrics({ register: registry });
  return {
    registry,
    async render() {
      scrape = null; // one snapshot per scrape, read by every collect()
      try {
        return await registry.metrics();
      } finally {
        scrape = null;
      }
    },
    close() {
      if (metrics.timings === timings) metrics.timings = null;
      if (own) registry.clear();
      else for (const name of names) registry.removeSingleMetric(name);
    },
  };
}
