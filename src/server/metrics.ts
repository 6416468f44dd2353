/** Counters and gauges of the relay, rendered in the Prometheus text exposition format. */

export type RejectReason =
  | 'unauthorized'
  | 'forbidden'
  | 'bad_request'
  | 'shutting_down'
  | 'bad_frame'
  | 'too_large'
  | 'rate_limited'
  | 'offline';

export type DropReason = 'backlog_overflow' | 'slow_consumer';

export interface MetricsSnapshot {
  connections: number;
  pairs: number;
  connectionsTotal: number;
  messagesReceived: number;
  messagesForwarded: number;
  drops: Record<DropReason, number>;
  rejects: Record<RejectReason, number>;
  closes: Record<string, number>;
}

export class RelayMetrics {
  connectionsTotal = 0;
  messagesReceived = 0;
  messagesForwarded = 0;
  readonly drops: Record<DropReason, number> = { backlog_overflow: 0, slow_consumer: 0 };
  readonly rejects: Record<RejectReason, number> = {
    unauthorized: 0, forbidden: 0, bad_request: 0, shutting_down: 0, bad_frame: 0, too_large: 0, rate_limited: 0, offline: 0,
  };
  /** Server-initiated closes by code. */
  readonly closes: Record<string, number> = {};

  close(code: number): void {
    this.closes[code] = (this.closes[code] || 0) + 1;
  }

  snapshot(connections: number, pairs: number): MetricsSnapshot {
    return {
      connections,
      pairs,
      connectionsTotal: this.connectionsTotal,
      messagesReceived: this.messagesReceived,
      messagesForwarded: this.messagesForwarded,
      drops: { ...this.drops },
      rejects: { ...this.rejects },
      closes: { ...this.closes },
    };
  }
}

export function renderPrometheus(s: MetricsSnapshot): string {
  const lines: string[] = [];
  const metric = (name: string, type: 'gauge' | 'counter', help: string, values: Array<[string, number]>) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of values) lines.push(`${name}${labels} ${value}`);
  };
  const labelled = (label: string, record: Record<string, number>): Array<[string, number]> =>
    Object.keys(record).map((k) => [`{${label}="${k}"}`, record[k]]);
  metric('hybrid_kit_connections', 'gauge', 'Open WebSocket connections on this instance.', [['', s.connections]]);
  metric('hybrid_kit_pairs', 'gauge', 'Tokens with at least two envs connected to this instance.', [['', s.pairs]]);
  metric('hybrid_kit_connections_total', 'counter', 'Accepted WebSocket connections.', [['', s.connectionsTotal]]);
  metric('hybrid_kit_messages_received_total', 'counter', 'Frames received from clients.', [['', s.messagesReceived]]);
  metric('hybrid_kit_messages_forwarded_total', 'counter', 'Frames written to a peer socket.', [['', s.messagesForwarded]]);
  metric('hybrid_kit_drops_total', 'counter', 'Frames dropped before delivery.', labelled('reason', s.drops));
  metric('hybrid_kit_rejects_total', 'counter', 'Refused upgrades and frames.', labelled('reason', s.rejects));
  metric('hybrid_kit_closes_total', 'counter', 'Connections closed by the server, by close code.', labelled('code', s.closes));
  return lines.join('\n') + '\n';
}
