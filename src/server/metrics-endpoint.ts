/**
 * Where the relay's metrics are exposed: nowhere by default; at /metrics of the relay's port with
 * `metrics`; on a port of their own with `metricsPort` (so the public port never answers them);
 * in the application's registry with `registry`. prom-client is loaded only when one is asked for.
 */
import * as http from 'http';
import { serveMetrics } from './http-routes';
import type { MetricsSnapshot, RelayMetrics } from './metrics';
import type { RelayLogger, RelayOptions } from './options';
import { exportPrometheus, PrometheusExport } from './prometheus';

export interface MetricsEndpoint {
  /** The exposition (loads prom-client on first use when no export was configured). */
  prometheus(): Promise<{ type: string; body: string }>;
  /** Starts the separate metrics port, if any; warns when metrics are public. */
  listen(log: RelayLogger): Promise<void>;
  close(): Promise<void>;
  /** The separate metrics server's port (null without metricsPort or before listen). */
  port(): number | null;
}

const LOOPBACK = ['127.0.0.1', 'localhost', '::1'];

export function createMetricsEndpoint(options: RelayOptions, metrics: RelayMetrics, snapshot: () => MetricsSnapshot): MetricsEndpoint {
  const wanted = options.metrics || !!options.metricsPort || !!options.registry;
  let exported: PrometheusExport | null = wanted ? exportPrometheus(metrics, snapshot, { registry: options.registry }) : null;
  const prometheus = async () => {
    exported = exported || exportPrometheus(metrics, snapshot, { registry: options.registry });
    return { type: exported.registry.contentType, body: await exported.render() };
  };
  let server: http.Server | null = null;

  return {
    prometheus,
    async listen(log) {
      if (options.metricsPort) {
        server = http.createServer((req, res) => {
          if ((req.url || '').split('?')[0] === '/metrics' && req.method === 'GET') return serveMetrics(req, res, options.metricsToken, { prometheus });
          res.writeHead(404).end();
        });
        await new Promise<void>((resolve, reject) => {
          server!.once('error', reject);
          server!.listen(options.metricsPort, options.host, () => resolve());
        });
        log.info(`hybrid-kit metrics on http://${options.host}:${(server.address() as { port: number }).port}/metrics`);
      } else if (options.metrics && !options.metricsToken && !options.server && LOOPBACK.indexOf(options.host) < 0) {
        log.warn(`hybrid-kit: /metrics answers anyone on ${options.host}: set HYBRID_KIT_METRICS_TOKEN or --metrics-port`);
      }
    },
    async close() {
      exported?.close();
      exported = null;
      if (server) {
        const s = server;
        server = null;
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        });
      }
    },
    port: () => (server ? (server.address() as { port: number }).port : null),
  };
}
