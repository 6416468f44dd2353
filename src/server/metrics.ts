/**
 * What the relay counts and times. The relay calls the `RelayMetricsSink` methods; `RelayMetrics`
 * keeps the counts for `relay.metrics()` and, when metrics are exported (prometheus.ts), feeds the
 * prom-client histograms too; prom-client reads the counts at scrape time. Counting costs one integer add; timing one histogram observe.
 */

export type RejectReason =
  | 'unauthorized'
  | 'forbidden'
  | 'bad_request'
  | 'shutting_down'
  | 'bad_frame'
  | 'too_large'
  | 'rate_limited'
  | 'offline';

/** Why a frame was dropped before delivery. */
export type RelayDropReason = 'backlog_overflow' | 'slow_consumer';
/** @deprecated use RelayDropReason (the socket client has its own DropReason). */
export type DropReason = RelayDropReason;

/** Why frames left a backlog unreplayed: over its item or byte budget, or older than its TTL. */
export type TrimReason = 'items' | 'bytes' | 'expired';

/** The calls the relay makes; every count defaults to 1, every duration is in milliseconds. */
export interface RelayMetricsSink {
  connectionOpened(): void;
  /** A frame received from a client. */
  received(): void;
  /** A frame written to a peer socket, `latencyMs` after it was received (omit when unknown). */
  forwarded(latencyMs?: number): void;
  /** Frames confirmed delivered (the receiver's lastSeq or ack covers them). */
  delivered(count?: number): void;
  dropped(reason: RelayDropReason, count?: number): void;
  /** Frames removed from a backlog without being replayed. */
  trimmed(reason: TrimReason, count?: number): void;
  rejected(reason: RejectReason): void;
  /** A connection closed by the server with `code`. */
  closed(code: number): void;
  /** One backlog frame replayed to a reconnecting env, `ageMs` after it was received. */
  replayed(ageMs: number): void;
  /** The sender's ack written, `latencyMs` after its frame was received. */
  acked(latencyMs: number): void;
}

/** Histograms fed by the sink (prometheus.ts implements it with prom-client). */
export interface MetricsTimings {
  forwardLatency(ms: number): void;
  backlogAge(ms: number): void;
  ackLatency(ms: number): void;
}

export interface MetricsSnapshot {
  connections: number;
  pairs: number;
  connectionsTotal: number;
  messagesReceived: number;
  messagesForwarded: number;
  messagesDelivered: number;
  replayed: number;
  acks: number;
  drops: Record<RelayDropReason, number>;
  trims: Record<TrimReason, number>;
  rejects: Record<RejectReason, number>;
  closes: Record<string, number>;
}

export class RelayMetrics implements RelayMetricsSink {
  connectionsTotal = 0;
  messagesReceived = 0;
  messagesForwarded = 0;
  messagesDelivered = 0;
  replays = 0;
  acks = 0;
  readonly drops: Record<RelayDropReason, number> = { backlog_overflow: 0, slow_consumer: 0 };
  readonly trims: Record<TrimReason, number> = { items: 0, bytes: 0, expired: 0 };
  readonly rejects: Record<RejectReason, number> = {
    unauthorized: 0, forbidden: 0, bad_request: 0, shutting_down: 0, bad_frame: 0, too_large: 0, rate_limited: 0, offline: 0,
  };
  /** Server-initiated closes by code. */
  readonly closes: Record<string, number> = {};
  /** Set when metrics are exported; without it durations are not kept. */
  timings: MetricsTimings | null = null;

  connectionOpened(): void {
    this.connectionsTotal++;
  }
  received(): void {
    this.messagesReceived++;
  }
  forwarded(latencyMs?: number): void {
    this.messagesForwarded++;
    if (latencyMs !== undefined && this.timings) this.timings.forwardLatency(latencyMs);
  }
  delivered(count = 1): void {
    this.messagesDelivered += count;
  }
  dropped(reason: RelayDropReason, count = 1): void {
    this.drops[reason] += count;
  }
  trimmed(reason: TrimReason, count = 1): void {
    this.trims[reason] += count;
  }
  rejected(reason: RejectReason): void {
    this.rejects[reason]++;
  }
  closed(code: number): void {
    this.closes[code] = (this.closes[code] || 0) + 1;
  }
  /** @deprecated use closed(code). */
  close(code: number): void {
    this.closed(code);
  }
  replayed(ageMs: number): void {
    this.replays++;
    if (this.timings) this.timings.backlogAge(ageMs);
  }
  acked(latencyMs: number): void {
    this.acks++;
    if (this.timings) this.timings.ackLatency(latencyMs);
  }

  snapshot(connections: number, pairs: number): MetricsSnapshot {
    return {
      connections,
      pairs,
      connectionsTotal: this.connectionsTotal,
      messagesReceived: this.messagesReceived,
      messagesForwarded: this.messagesForwarded,
      messagesDelivered: this.messagesDelivered,
      replayed: this.replays,
      acks: this.acks,
      drops: { ...this.drops },
      trims: { ...this.trims },
      rejects: { ...this.rejects },
      closes: { ...this.closes },
    };
  }
}
