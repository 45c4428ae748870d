import { Injectable } from '@nestjs/common';
import type { Client } from '../client/client.js';

/** The live connections of this instance, and whether it is draining for shutdown. */
@Injectable()
export class Connections {
  readonly all = new Set<Client>();
  draining = false;
  private seq = 0;
  private emptyWaiters: (() => void)[] = [];

  nextId(serverId: string): string {
    this.seq += 1;
    return `${serverId}:${this.seq.toString(36)}`;
  }

  add(conn: Client): void {
    this.all.add(conn);
  }

  delete(conn: Client): void {
    this.all.delete(conn);
    if (this.all.size === 0) for (const wake of this.emptyWaiters.splice(0)) wake();
  }

  /** Resolves when every connection has closed, or after `timeoutMs`. */
  drained(timeoutMs: number): Promise<void> {
    if (this.all.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.emptyWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
