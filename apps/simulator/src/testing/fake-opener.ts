import type { Role } from '@pulse/protocol';
import type { Connection, ConnectionEvents, Opener } from '../connection.js';

/** A connection that records publishes and lets the test play the server. */
export class FakeConnection implements Connection {
  readonly published: { topic: string; payload: unknown; ack: boolean; key?: string }[] = [];
  closed = false;

  constructor(
    readonly role: Role,
    readonly sub: string,
    readonly events: ConnectionEvents,
  ) {}

  publish(topic: string, payload: unknown): void {
    this.published.push({ topic, payload, ack: false });
  }

  publishAcked(topic: string, payload: unknown, key: string): Promise<unknown> {
    this.published.push({ topic, payload, ack: true, key });
    return Promise.resolve({ type: 'ack' });
  }

  close(): void {
    this.closed = true;
    this.events.onStatus({ status: 'disconnected', closeCode: 1000 });
  }

  /** The server's welcome arrived. */
  welcome(): void {
    this.events.onStatus({ status: 'connected' });
  }

  /** The socket dropped; the client is retrying. */
  lose(closeCode = 1006): void {
    this.events.onStatus({ status: 'reconnecting', closeCode });
  }
}

/** An `Opener` that hands out `FakeConnection`s; `autoWelcome` connects them at once. */
export function fakeOpener(autoWelcome = true) {
  const connections: FakeConnection[] = [];
  const open: Opener = (role, sub, events) => {
    const conn = new FakeConnection(role, sub, events);
    connections.push(conn);
    // Like a real client: the welcome arrives asynchronously, after `open` returned.
    if (autoWelcome) queueMicrotask(() => conn.welcome());
    return conn;
  };
  return { open, connections };
}
