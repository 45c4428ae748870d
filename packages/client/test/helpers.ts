import { afterEach } from 'vitest';
import WebSocket from 'ws';
import type { TopicMessage } from '@pulse/protocol';
import {
  PulseClient,
  type PulseClientEvents,
  type PulseClientOptions,
  type StatusEvent,
} from '../src/index.js';
import { FakeServer, type FakeServerOptions } from './fake-server.js';

const open: { close(): unknown }[] = [];

afterEach(async () => {
  const closing = open.splice(0);
  for (const resource of closing.reverse()) await resource.close();
});

/** A fake server closed after the test. */
export async function startServer(options: FakeServerOptions = {}): Promise<FakeServer> {
  const server = await FakeServer.start(options);
  open.push(server);
  return server;
}

/** A client on `ws` with zero backoff (tests must not wait), closed after the test. */
export function createClient(
  server: FakeServer,
  options: Partial<PulseClientOptions> = {},
): PulseClient {
  const client = new PulseClient({ url: server.url, WebSocket, backoff: () => 0, ...options });
  open.push(client);
  return client;
}

/** The next `event` matching `where`. */
export function nextEvent<K extends keyof PulseClientEvents>(
  client: PulseClient,
  event: K,
  where: (e: PulseClientEvents[K]) => boolean = () => true,
): Promise<PulseClientEvents[K]> {
  return new Promise((resolve) => {
    const off = client.on(event, (e) => {
      if (!where(e)) return;
      off();
      resolve(e);
    });
  });
}

/** Every status event, in order. */
export function statusLog(client: PulseClient): StatusEvent[] {
  const log: StatusEvent[] = [];
  client.on('status', (e) => log.push(e));
  return log;
}

export function waitForStatus(
  client: PulseClient,
  status: StatusEvent['status'],
): Promise<StatusEvent> {
  return nextEvent(client, 'status', (e) => e.status === status);
}

/** A backoff that records the attempts it was asked about. */
export function recordedBackoff(delayMs = 0): { (attempt: number): number; attempts: number[] } {
  const attempts: number[] = [];
  return Object.assign((attempt: number) => (attempts.push(attempt), delayMs), { attempts });
}

/** Collects what a subscription handler receives and lets a test await the n-th message. */
export class Inbox<P = unknown> {
  readonly messages: TopicMessage<P>[] = [];
  #waiters: { count: number; resolve: () => void }[] = [];

  readonly handler = (message: TopicMessage<P>): void => {
    this.messages.push(message);
    this.#waiters = this.#waiters.filter((w) => {
      if (this.messages.length < w.count) return true;
      w.resolve();
      return false;
    });
  };

  /** Resolves once `count` messages in total have arrived. */
  async until(count: number): Promise<TopicMessage<P>[]> {
    if (this.messages.length < count)
      await new Promise<void>((resolve) => this.#waiters.push({ count, resolve }));
    return this.messages;
  }

  seqs(): number[] {
    return this.messages.map((m) => m.seq);
  }
}
