import { Injectable } from '@nestjs/common';
import { Counter, Histogram, type Metric } from 'prom-client';

/**
 * Bus health the bus itself reports: command latency and reconnects. The in-memory bus has
 * neither; the Redis bus injects this and calls `command` around each round trip and
 * `reconnected` when its link comes back. Exposed on `/metrics` with everything else.
 */
@Injectable()
export class BusTelemetry {
  private readonly commandSeconds = new Histogram({
    name: 'pulse_bus_command_duration_seconds',
    help: 'Bus (Redis) command round trips, by command',
    labelNames: ['command'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [],
  });
  private readonly reconnects = new Counter({
    name: 'pulse_bus_reconnects_total',
    help: 'Times the bus (Redis) link was re-established',
    registers: [],
  });

  /** For the registry. */
  get metrics(): readonly Metric[] {
    return [this.commandSeconds, this.reconnects];
  }

  /** One command took `seconds` (e.g. `publish`, `recover`, `subscribe`). */
  command(name: string, seconds: number): void {
    this.commandSeconds.observe({ command: name }, seconds);
  }

  reconnected(): void {
    this.reconnects.inc();
  }
}
