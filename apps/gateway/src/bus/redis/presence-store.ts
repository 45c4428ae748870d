import type { Transport } from '@pulse/protocol';
import type { PresenceStore } from '../../presence/presence-store.js';
import type { RedisKeys } from './keys.js';
import type { RedisLink } from './redis-link.js';
import type { TopicWriter } from './topic-writer.js';

/** Expired leases one sweep looks at; the rest wait for the next sweep. */
const SWEEP_BATCH = 200;

/**
 * Presence across instances by leases. Each instance holds a lease per device connected to it
 * (a field in the device's lease hash, refreshed every third of the lease time); the device is
 * online while any lease is live. A dead instance stops refreshing, its leases run out, and the
 * next sweep by any instance (every half lease) removes them and publishes the device offline.
 * Decisions happen in one script per device with the presence publish, so instances never
 * publish contradicting transitions out of order.
 */
export class RedisPresenceStore implements PresenceStore {
  /** Devices with a connection on this instance, and the transport that brought each online. */
  private readonly local = new Map<string, Transport>();
  private readonly timers: NodeJS.Timeout[] = [];
  private sweeping = false;
  /** Joins and leaves in flight, so shutdown lets them finish. */
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly writer: TopicWriter,
    private readonly link: RedisLink,
    private readonly keys: RedisKeys,
    private readonly instanceId: string,
    private readonly leaseMs: number,
    private readonly onError: (err: unknown) => void,
  ) {
    this.timers.push(setInterval(() => this.refresh(), Math.max(50, leaseMs / 3)));
    this.timers.push(setInterval(() => void this.sweep(), Math.max(50, leaseMs / 2)));
    for (const t of this.timers) t.unref();
  }

  join(deviceId: string, transport: Transport): Promise<void> {
    this.local.set(deviceId, transport);
    return this.track(
      Promise.all([
        this.writer.presence(deviceId, 'join', this.leaseMs, undefined, transport),
        this.indexLease(deviceId),
      ]),
    );
  }

  leave(deviceId: string, transport: Transport): Promise<void> {
    this.local.delete(deviceId);
    return this.track(
      (async () => {
        await this.writer.presence(deviceId, 'leave', this.leaseMs, undefined, transport);
        await this.link.commands.zrem(this.keys.leaseIndex(), `${deviceId} ${this.instanceId}`);
      })(),
    );
  }

  /** Stops refreshing and sweeping; resolves when joins and leaves in flight are done. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await Promise.allSettled(this.pending);
  }

  private async track(work: Promise<unknown>): Promise<void> {
    this.pending.add(work);
    try {
      await work;
    } finally {
      this.pending.delete(work);
    }
  }

  private refresh(): void {
    if (!this.link.commandsReady()) return;
    for (const [deviceId, transport] of this.local) {
      // After a Redis restart this also brings the device back online.
      this.writer
        .presence(deviceId, 'refresh', this.leaseMs, undefined, transport)
        .catch(this.onError);
      this.indexLease(deviceId).catch(this.onError);
    }
  }

  private async indexLease(deviceId: string): Promise<void> {
    const member = `${deviceId} ${this.instanceId}`;
    await this.link.commands.zadd(this.keys.leaseIndex(), Date.now() + this.leaseMs, member);
  }

  /** Finds leases past their time (by this clock: a hint; the script decides by Redis's). */
  private async sweep(): Promise<void> {
    if (this.sweeping || !this.link.commandsReady()) return;
    this.sweeping = true;
    try {
      const index = this.keys.leaseIndex();
      const due = await this.link.commands.zrangebyscore(
        index,
        '-inf',
        Date.now(),
        'LIMIT',
        0,
        SWEEP_BATCH,
      );
      await Promise.all(
        due.map(async (member) => {
          const [deviceId, instance] = member.split(' ');
          if (!deviceId || !instance) return void (await this.link.commands.zrem(index, member));
          const holds = await this.writer.presence(deviceId, 'sweep', this.leaseMs, instance);
          if (!holds) await this.link.commands.zrem(index, member);
        }),
      );
    } catch (err) {
      this.onError(err);
    } finally {
      this.sweeping = false;
    }
  }
}
