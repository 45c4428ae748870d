import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';
import type { ServerMessage } from '@pulse/protocol';
import type { Principal } from '../auth/claims.js';
import { SINK_OPEN, type Sink } from '../client/sink.js';
import { Stats } from '../metrics/stats.js';

/**
 * What the gate needs of a publisher connection: a WebSocket `Client`, or an MQTT connection
 * (`mqtt/mqtt-connection.ts`), which has no notice to send and ignores it.
 */
export interface GatedPublisher {
  readonly principal: Principal;
  readonly sink: Pick<Sink, 'readyState' | 'pause' | 'resume'>;
  send(message: ServerMessage): void;
}

/**
 * Inbound backpressure. Counts publishes accepted but not yet stored by the bus; above the high
 * mark every publisher socket is paused (the kernel's TCP window then pushes back on the
 * sender) and told to slow down; below the low mark they are resumed. Nothing accepted is
 * dropped: a paused socket simply is not read.
 */
@Injectable()
export class IngestGate {
  private readonly logger = new Logger('Ingest');
  private readonly publishers = new Set<GatedPublisher>();
  private inFlight = 0;
  private paused = false;

  constructor(
    @Inject(CONFIG) private readonly config: GatewayConfig,
    @Inject(Stats) private readonly stats: Stats,
  ) {}

  get pending(): number {
    return this.inFlight;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  register(conn: GatedPublisher): void {
    if (conn.principal.role === 'operator') return;
    this.publishers.add(conn);
    if (this.paused) conn.sink.pause();
  }

  unregister(conn: GatedPublisher): void {
    this.publishers.delete(conn);
  }

  enter(): void {
    this.inFlight += 1;
    if (!this.paused && this.inFlight >= this.config.ingest.highWater) this.pause();
  }

  leave(): void {
    this.inFlight -= 1;
    if (this.paused && this.inFlight <= this.config.ingest.lowWater) this.resume();
  }

  private pause(): void {
    this.paused = true;
    this.stats.inboundPauses += 1;
    this.logger.warn(
      `ingest over ${this.config.ingest.highWater} pending: pausing ${this.publishers.size} publishers`,
    );
    for (const conn of this.publishers) {
      if (conn.sink.readyState !== SINK_OPEN) continue;
      conn.sink.pause();
      conn.send({
        type: 'notice',
        code: 'SLOW_DOWN',
        message: 'ingest is saturated: reading paused',
        retryAfterMs: 100,
      });
    }
  }

  private resume(): void {
    this.paused = false;
    for (const conn of this.publishers) if (conn.sink.readyState === SINK_OPEN) conn.sink.resume();
  }
}
