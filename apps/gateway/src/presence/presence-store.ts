import { topics, type Presence, type Transport } from '@pulse/protocol';
import type { Bus } from '../bus/bus.js';

/** DI token for the active `PresenceStore`. */
export const PRESENCE_STORE = Symbol('PresenceStore');

/**
 * Where device presence is decided. The presence service calls `join` when a device's first
 * connection on this instance opens and `leave` when its last one closes; the store publishes
 * `presence.<deviceId>` when the device's online state flips across all instances. `transport`
 * is that connection's (the presence message says how the device is reached).
 */
export interface PresenceStore {
  join(deviceId: string, transport: Transport): Promise<void>;
  leave(deviceId: string, transport: Transport): Promise<void>;
}

/** One instance is the whole picture: each join and leave is a flip. */
export class LocalPresenceStore implements PresenceStore {
  constructor(private readonly bus: Bus) {}

  join(deviceId: string, transport: Transport): Promise<void> {
    return this.announce(deviceId, true, transport);
  }

  leave(deviceId: string, transport: Transport): Promise<void> {
    return this.announce(deviceId, false, transport);
  }

  private async announce(deviceId: string, online: boolean, transport: Transport): Promise<void> {
    const payload: Presence = { deviceId, online, lastSeen: Date.now(), transport };
    await this.bus.publish(topics.presence(deviceId), payload);
  }
}
