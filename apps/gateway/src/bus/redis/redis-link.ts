import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

/** Where the bus finds Redis and how it treats a Redis that does not answer. */
export interface RedisLinkOptions {
  readonly url?: string;
  readonly clusterNodes?: readonly { host: string; port: number }[];
  /** A command without a reply after this long fails (a publish then answers UNAVAILABLE). */
  readonly commandTimeoutMs: number;
  /** Shown in `CLIENT LIST`. */
  readonly connectionName: string;
}

/**
 * The two Redis flavours behind one surface: commands (scripts, reads, auto-pipelined) and the
 * pub/sub connection(s). Standalone uses PUBLISH/SUBSCRIBE on a dedicated subscriber
 * connection; Cluster uses sharded pub/sub (SPUBLISH/SSUBSCRIBE), one subscriber per master,
 * so a message only crosses the shard that owns its channel.
 */
export interface RedisLink {
  readonly commands: Redis | Cluster;
  readonly publishCommand: 'PUBLISH' | 'SPUBLISH';
  /** True on Cluster: a script may only touch its own slot (see `RedisBus.publish`). */
  readonly sharded: boolean;
  /** Whether the link restores its subscriptions itself after a reconnect (Cluster does). */
  readonly resubscribesItself: boolean;
  subscribe(channels: readonly string[]): Promise<unknown>;
  unsubscribe(channels: readonly string[]): Promise<unknown>;
  commandsReady(): boolean;
  subscriberReady(): boolean;
  /** Last connection error, for readiness. */
  readonly lastError: string | undefined;
  /** Resolves true once both sides are connected, false after `timeoutMs`. */
  untilReady(timeoutMs: number): Promise<boolean>;
  quit(): Promise<void>;
  /** Drops every connection at once, no reconnect. */
  disconnect(): void;
}

export interface LinkEvents {
  /** Every pub/sub message (a frame built by `lua.ts`). */
  frame(frame: Buffer): void;
  /** The subscriber side is (again) connected with no subscriptions held, or resubscribed itself. */
  subscriberUp(): void;
  /** The subscriber side lost its connection: live messages may be missed until it is back. */
  subscriberDown(): void;
  /** Connection state changed (for logs). */
  state(up: boolean, detail: string): void;
}

/** How often a Cluster link re-reads the slot map (see `ClusterLink`). */
const SLOTS_REFRESH_MS = 1000;

/** Reconnect forever: exponential with full jitter, capped at one second. */
function backoff(times: number): number {
  return Math.round(Math.min(1000, 50 * 2 ** Math.min(times, 5)) * (0.5 + Math.random() / 2));
}

/**
 * Fail fast rather than queue: no offline queue (a publish while Redis is down is rejected at
 * once), a command timeout (a hung Redis cannot hold publishes forever), and no resending of
 * commands that were in flight when the connection dropped (a publish is either acknowledged
 * or reported as failed, never silently replayed later).
 */
function failFast(o: RedisLinkOptions): RedisOptions {
  return {
    enableOfflineQueue: false,
    commandTimeout: o.commandTimeoutMs,
    connectTimeout: Math.max(2000, o.commandTimeoutMs),
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
  };
}

export function createLink(options: RedisLinkOptions, events: LinkEvents): RedisLink {
  return options.clusterNodes?.length
    ? new ClusterLink(options, events)
    : new StandaloneLink(options, events);
}

class StandaloneLink implements RedisLink {
  readonly commands: Redis;
  private readonly subscriber: Redis;
  readonly publishCommand = 'PUBLISH';
  readonly sharded = false;
  readonly resubscribesItself = false;
  lastError: string | undefined;

  constructor(
    options: RedisLinkOptions,
    private readonly events: LinkEvents,
  ) {
    const url = options.url ?? 'redis://127.0.0.1:6379';
    this.commands = new Redis(url, {
      ...failFast(options),
      retryStrategy: backoff,
      enableAutoPipelining: true,
      connectionName: `${options.connectionName}:cmd`,
    });
    this.subscriber = new Redis(url, {
      ...failFast(options),
      retryStrategy: backoff,
      // The interest manager resubscribes, then heals what was missed; see `Interest`.
      autoResubscribe: false,
      connectionName: `${options.connectionName}:sub`,
    });
    this.watch(this.commands, 'commands');
    this.watch(this.subscriber, 'subscriber');
    this.subscriber.on('messageBuffer', (_channel: Buffer, frame: Buffer) => events.frame(frame));
    this.subscriber.on('ready', () => events.subscriberUp());
    this.subscriber.on('close', () => events.subscriberDown());
  }

  private watch(client: Redis, side: string): void {
    let up = false;
    client.on('error', (err: Error) => {
      this.lastError = `${side}: ${err.message}`;
    });
    client.on('ready', () => {
      up = true;
      this.events.state(true, side);
    });
    client.on('close', () => {
      if (up) this.events.state(false, `${side} lost`);
      up = false;
    });
  }

  subscribe(channels: readonly string[]): Promise<unknown> {
    return this.subscriber.subscribe(...channels);
  }

  unsubscribe(channels: readonly string[]): Promise<unknown> {
    return this.subscriber.unsubscribe(...channels);
  }

  commandsReady(): boolean {
    return this.commands.status === 'ready';
  }

  subscriberReady(): boolean {
    return this.subscriber.status === 'ready';
  }

  untilReady(timeoutMs: number): Promise<boolean> {
    return untilAll([this.commands, this.subscriber], timeoutMs);
  }

  async quit(): Promise<void> {
    await Promise.all([quietly(this.commands), quietly(this.subscriber)]);
  }

  disconnect(): void {
    this.commands.disconnect();
    this.subscriber.disconnect();
  }
}

class ClusterLink implements RedisLink {
  readonly commands: Cluster;
  readonly publishCommand = 'SPUBLISH';
  readonly sharded = true;
  readonly resubscribesItself = true;
  lastError: string | undefined;

  constructor(options: RedisLinkOptions, events: LinkEvents) {
    const clusterOptions: ClusterOptions = {
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      shardedSubscribers: true,
      clusterRetryStrategy: backoff,
      slotsRefreshTimeout: Math.max(1000, options.commandTimeoutMs),
      // ioredis learns of a new slot map from MOVED/ASK replies and failed connections; a
      // failover or a reshard can also change it silently (gossip only). Poll it too, so a
      // stale map lasts at most a second. One CLUSTER SLOTS a second is cheap.
      slotsRefreshInterval: SLOTS_REFRESH_MS,
      redisOptions: {
        commandTimeout: options.commandTimeoutMs,
        connectTimeout: Math.max(2000, options.commandTimeoutMs),
        autoResendUnfulfilledCommands: false,
        maxRetriesPerRequest: 0,
        connectionName: options.connectionName,
      },
    };
    this.commands = new Cluster([...(options.clusterNodes ?? [])], clusterOptions);
    let up = false;
    this.commands.on('error', (err: Error) => {
      this.lastError = `cluster: ${err.message}`;
    });
    this.commands.on('node error', (err: Error, node: string) => {
      this.lastError = `cluster node ${node}: ${err.message}`;
    });
    this.commands.on('ready', () => {
      up = true;
      events.state(true, 'cluster');
      events.subscriberUp();
    });
    this.commands.on('close', () => {
      if (up) {
        events.state(false, 'cluster lost');
        events.subscriberDown();
      }
      up = false;
    });
    // ioredis restores sharded subscriptions itself and says so with `subscribersReady`.
    this.commands.on('subscribersReady', () => events.subscriberUp());
    this.commands.on('smessageBuffer', (_channel: Buffer, frame: Buffer) => events.frame(frame));
  }

  subscribe(channels: readonly string[]): Promise<unknown> {
    // SSUBSCRIBE takes channels of one slot only; each pattern channel is its own slot.
    return Promise.all(channels.map((c) => this.commands.ssubscribe(c)));
  }

  unsubscribe(channels: readonly string[]): Promise<unknown> {
    return Promise.all(channels.map((c) => this.commands.sunsubscribe(c)));
  }

  commandsReady(): boolean {
    return this.commands.status === 'ready';
  }

  subscriberReady(): boolean {
    return this.commands.status === 'ready';
  }

  untilReady(timeoutMs: number): Promise<boolean> {
    return untilAll([this.commands], timeoutMs);
  }

  async quit(): Promise<void> {
    await quietly(this.commands);
  }

  disconnect(): void {
    this.commands.disconnect();
  }
}

function untilAll(clients: readonly (Redis | Cluster)[], timeoutMs: number): Promise<boolean> {
  const waits = clients.map(
    (c) =>
      new Promise<void>((resolve) => {
        if (c.status === 'ready') resolve();
        else c.once('ready', () => resolve());
      }),
  );
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    timer.unref();
    void Promise.all(waits).then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function quietly(client: Redis | Cluster): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') return client.disconnect();
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
