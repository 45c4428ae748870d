import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { CloseCode } from '@pulse/protocol';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';
import { Connections } from './connections.js';

/**
 * One timer for all connections: ping every `heartbeatMs`; a connection that sent nothing for
 * twice that is presumed dead, closed with 4101 and, if the close handshake cannot finish
 * either, terminated.
 */
@Injectable()
export class Heartbeat implements OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(CONFIG) private readonly config: GatewayConfig,
    @Inject(Connections) private readonly connections: Connections,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.beat(Date.now()), this.config.heartbeatMs);
    this.timer.unref();
  }

  beat(now: number): void {
    const deadAfter = this.config.heartbeatMs * 2;
    for (const conn of this.connections.all) {
      if (now - conn.lastSeenAt > deadAfter) {
        conn.close(CloseCode.HEARTBEAT_TIMEOUT, 'heartbeat timeout');
        setTimeout(() => conn.sink.terminate(), 1000).unref();
      } else {
        conn.send({ type: 'ping', ts: now });
      }
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }
}
