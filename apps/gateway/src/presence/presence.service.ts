import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Client } from '../client/client.js';
import { PRESENCE_STORE, type PresenceStore } from './presence-store.js';

/**
 * Tells the presence store when a device's first connection on this instance opens and when
 * its last one closes; the store decides what every operator sees (see `PresenceStore`).
 */
@Injectable()
export class PresenceService {
  private readonly logger = new Logger('Presence');
  private readonly openByDevice = new Map<string, number>();

  constructor(@Inject(PRESENCE_STORE) private readonly store: PresenceStore) {}

  connected(conn: Client): void {
    if (conn.principal.role !== 'device') return;
    const id = conn.principal.subject;
    const n = (this.openByDevice.get(id) ?? 0) + 1;
    this.openByDevice.set(id, n);
    if (n === 1) this.report(id, this.store.join(id, conn.transport));
  }

  disconnected(conn: Client): void {
    if (conn.principal.role !== 'device') return;
    const id = conn.principal.subject;
    const n = (this.openByDevice.get(id) ?? 1) - 1;
    if (n > 0) return void this.openByDevice.set(id, n);
    this.openByDevice.delete(id);
    this.report(id, this.store.leave(id, conn.transport));
  }

  get onlineDevices(): number {
    return this.openByDevice.size;
  }

  private report(deviceId: string, done: Promise<void>): void {
    done.catch((err: unknown) => {
      this.logger.warn(`presence of ${deviceId} not published: ${String(err)}`);
    });
  }
}
