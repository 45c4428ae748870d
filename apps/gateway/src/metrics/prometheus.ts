import { Inject, Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { BUS, type Bus } from '../bus/bus.js';
import type { Client } from '../client/client.js';
import { BusTelemetry } from './bus-telemetry.js';
import { Stats } from './stats.js';

/**
 * Prometheus view of the gateway. Counters are read from `Stats` at scrape time (see there
 * why); prom-client supplies the format and the process metrics (event-loop lag, heap, CPU).
 */
@Injectable()
export class PrometheusRegistry {
  readonly registry = new Registry();
  /** Open connections per transport (`ws`, `sse`), registered by whoever owns them. */
  readonly openConnections = new Map<string, () => Iterable<Client>>();
  ingestPending: () => number = () => 0;

  constructor(
    @Inject(Stats) stats: Stats,
    @Inject(BUS) bus: Bus,
    @Inject(BusTelemetry) busTelemetry: BusTelemetry,
  ) {
    const registers = [this.registry];
    // Process metrics, among them event-loop lag (pulse_nodejs_eventloop_lag_*) and heap
    // (pulse_nodejs_heap_size_used_bytes, pulse_process_resident_memory_bytes).
    collectDefaultMetrics({ register: this.registry, prefix: 'pulse_' });
    for (const metric of busTelemetry.metrics) this.registry.registerMetric(metric);
    const counter = (
      name: string,
      help: string,
      labelNames: string[],
      read: (c: Counter) => void,
    ) =>
      new Counter({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          read(this);
        },
      });
    const gauge = (name: string, help: string, labelNames: string[], read: (g: Gauge) => void) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          read(this);
        },
      });
    counter('pulse_messages_in_total', 'Publishes accepted, by topic family', ['family'], (c) => {
      for (const [family, n] of Object.entries(stats.published)) c.inc({ family }, n);
    });
    counter(
      'pulse_messages_out_total',
      'Topic messages delivered to connections, by topic family',
      ['family'],
      (c) => {
        for (const [family, n] of Object.entries(stats.deliveredByFamily)) c.inc({ family }, n);
      },
    );
    counter('pulse_frames_out_total', 'Frames carrying topic messages', [], (c) =>
      c.inc(stats.frames),
    );
    counter('pulse_batches_total', 'Frames that batched several messages', [], (c) =>
      c.inc(stats.batches),
    );
    counter('pulse_bytes_out_total', 'Bytes of topic-message frames sent', [], (c) =>
      c.inc(stats.bytesOut),
    );
    counter('pulse_bytes_in_total', 'Bytes of inbound WebSocket frames', [], (c) =>
      c.inc(stats.bytesIn),
    );
    counter(
      'pulse_conflated_total',
      'Updates replaced by a later one (throttle or slow connection)',
      [],
      (c) => c.inc(stats.conflated),
    );
    counter(
      'pulse_aggregated_total',
      'Messages folded from several updates by an aggregate throttle',
      [],
      (c) => c.inc(stats.aggregated),
    );
    counter('pulse_rate_limited_total', 'Requests refused for rate, by kind', ['kind'], (c) => {
      for (const [kind, n] of Object.entries(stats.rateLimited)) c.inc({ kind }, n);
    });
    counter('pulse_errors_total', 'Error frames sent, by code', ['code'], (c) => {
      for (const [code, n] of Object.entries(stats.errors)) c.inc({ code }, n);
    });
    counter(
      'pulse_refused_total',
      'Connections and HTTP requests refused before they began, by code',
      ['code'],
      (c) => {
        for (const [code, n] of Object.entries(stats.refused)) c.inc({ code }, n);
      },
    );
    counter('pulse_token_refreshes_total', 'Tokens replaced on open connections', [], (c) =>
      c.inc(stats.tokenRefreshes),
    );
    counter('pulse_closes_total', 'Connections closed, by close code', ['code'], (c) => {
      for (const [code, n] of Object.entries(stats.closes)) c.inc({ code }, n);
    });
    counter('pulse_slow_consumer_closes_total', 'Connections closed as slow consumers', [], (c) =>
      c.inc(stats.slowConsumerCloses),
    );
    counter(
      'pulse_inbound_pauses_total',
      'Times publisher sockets were paused for backpressure',
      [],
      (c) => c.inc(stats.inboundPauses),
    );
    counter(
      'pulse_publish_repeats_total',
      'Keyed publishes answered with their original ack (a retry; nothing stored)',
      [],
      (c) => c.inc(stats.publishRepeats),
    );
    counter('pulse_invalid_frames_total', 'Inbound frames refused as invalid', [], (c) =>
      c.inc(stats.invalidFrames),
    );
    counter(
      'pulse_mqtt_bridge_messages_total',
      'Messages consumed from the external MQTT broker, by outcome',
      ['outcome'],
      (c) => {
        for (const [outcome, n] of Object.entries(stats.mqttBridge)) c.inc({ outcome }, n);
      },
    );
    gauge(
      'pulse_connections',
      'Open connections by role and transport (ws, sse)',
      ['role', 'transport'],
      (g) => {
        for (const [transport, all] of this.openConnections) {
          const byRole: Record<string, number> = { operator: 0, device: 0, feed: 0, admin: 0 };
          for (const c of all()) byRole[c.principal.role] = (byRole[c.principal.role] ?? 0) + 1;
          for (const [role, n] of Object.entries(byRole)) g.set({ role, transport }, n);
        }
      },
    );
    gauge('pulse_ingest_pending', 'Publishes accepted but not yet stored by the bus', [], (g) =>
      g.set(this.ingestPending()),
    );
    gauge('pulse_bus_ready', 'Whether the bus is usable (1) or not (0)', ['kind'], (g) => {
      const s = bus.status();
      g.set({ kind: s.kind }, s.ready ? 1 : 0);
    });
    // The embedded bus's history, held in this process (with Redis it is in Redis).
    const history = bus.historyMemory?.bind(bus);
    if (history) {
      gauge('pulse_bus_history_bytes', 'Estimated bytes of history held in memory', [], (g) =>
        g.set(history().bytes),
      );
      gauge('pulse_bus_history_max_bytes', 'HISTORY_MEMORY_MAX_BYTES', [], (g) =>
        g.set(history().maxBytes),
      );
      gauge('pulse_bus_history_messages', 'Messages held in history', [], (g) =>
        g.set(history().messages),
      );
      gauge('pulse_bus_history_topics', 'Topics with history', [], (g) =>
        g.set(history().topics),
      );
      counter(
        'pulse_bus_history_evicted_total',
        'Messages evicted to stay within HISTORY_MEMORY_MAX_BYTES',
        [],
        (c) => c.inc(history().evicted),
      );
    }
  }
}
