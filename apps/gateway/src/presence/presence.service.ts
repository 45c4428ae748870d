import { Inject, Injectable, Logger } from '@nestjs/common';
import { topics, type Presence } from '@pulse/protocol';
import { BUS, type Bus } from '../bus/bus.js';
import type { Connection } from '../fanout/connection.js';

/**
 * Publishes `presence.<deviceId>` when a device's first connection opens and when its last one
 * closes, so every operator sees the same online/offline state (and can resume it like any topic).
 */
@Injectable()
export class PresenceService {
  private readonly logger = new Logger('Presence');
  private readonly openByDevice = new Map<string, number>();

  constructor(@Inject(BUS) private readonly bus: Bus) {}

  connected(conn: Connection): void {
    if (conn.principal.role !== 'device') return;
    const id = conn.principal.subject;
    const n = (this.openByDevice.get(id) ?? 0) + 1;
    this.openByDevice.set(id, n);
    if (n === 1) this.announce(id, true);
  }

  disconnected(conn: Connection): void {
    if (conn.principal.role !== 'device') return;
    const id = conn.principal.subject;
    const n = (this.openByDevice.get(id) ?? 1) - 1;
    if (n > 0) return void this.openByDevice.set(id, n);
    this.openByDevice.delete(id);
    this.announce(id, false);
  }

  get onlineDevices(): number {
    return this.openByDevice.size;
  }

  private announce(deviceId: string, online: boolean): void {
    const payload: Presence = { deviceId, online, lastSeen: Date.now() };
    this.bus.publish(topics.presence(deviceId), payload).catch((err: unknown) => {
      this.logger.warn(`presence of ${deviceId} not published: ${String(err)}`);
    });
  }
}
