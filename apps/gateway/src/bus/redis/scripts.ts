import type { Cluster, Redis } from 'ioredis';
import { PRESENCE_LUA, PUBLISH_BATCH_LUA, READ_LUA, VARIANT_LUA } from './lua.js';
import type { ReadReply } from './topic-snapshot.js';

type Arg = string | number;

/** The scripts of `lua.ts` (ioredis sends EVAL once per connection, then EVALSHA). */
export interface PulseScripts {
  /** → per topic, flat: epoch, seqs (negative: a repeat)[, joined frames] (PUBLISH_BATCH_LUA). */
  publishBatch(
    keys: readonly string[],
    args: readonly Arg[],
  ): Promise<(number | string | number[])[]>;
  variant(index: string, args: readonly Arg[]): Promise<number>;
  read(meta: string, log: string, args: readonly Arg[]): Promise<ReadReply>;
  /** → [changed, holdsLease, seq?, epoch?, frame?] */
  presence(
    keys: readonly string[],
    args: readonly Arg[],
  ): Promise<[number, number, number?, string?, string?]>;
}

type Command = (...args: Arg[]) => Promise<never>;

/**
 * Each script is defined once per key count it is called with. A fixed `numberOfKeys` matters
 * on Cluster: auto-pipelining groups a command by its first argument, which must be a key of
 * the script, not the key count.
 */
export function defineScripts(client: Redis | Cluster): PulseScripts {
  const define = (name: string, lua: string, keyCounts: readonly number[]) => {
    for (const n of keyCounts) client.defineCommand(`${name}${n}`, { lua, numberOfKeys: n });
  };
  // On Cluster a batch is one topic without its variants' keys: 2 keys. On standalone any
  // number of topics with their variants' index keys: the key count is the first argument.
  define('pulsePublishBatch', PUBLISH_BATCH_LUA, [2]);
  client.defineCommand('pulsePublishBatchN', { lua: PUBLISH_BATCH_LUA });
  define('pulsePresence', PRESENCE_LUA, [3, 4]);
  define('pulseVariant', VARIANT_LUA, [1]);
  define('pulseRead', READ_LUA, [2]);
  const commands = client as unknown as Record<string, Command>;
  const call = (name: string, keys: readonly string[], args: readonly Arg[], buffers = false) => {
    const command = commands[`${name}${keys.length}${buffers ? 'Buffer' : ''}`];
    if (!command) throw new Error(`${name} takes no ${keys.length} keys`);
    return command.call(client, ...keys, ...args);
  };
  return {
    publishBatch: (keys, args) =>
      keys.length === 2
        ? call('pulsePublishBatch', keys, args)
        : commands.pulsePublishBatchN!.call(client, keys.length, ...keys, ...args),
    variant: (index, args) => call('pulseVariant', [index], args),
    // Frames stay Buffers: JSON sockets get them as they are.
    read: (meta, log, args) => call('pulseRead', [meta, log], args, true),
    presence: (keys, args) => call('pulsePresence', keys, args),
  };
}

/** Where script round trips are reported (`BusTelemetry` on `/metrics`). */
export type CommandObserver = (command: string, seconds: number) => void;

/** `scripts` with each call's round trip (failed ones too) reported to `observe`. */
export function timedScripts(scripts: PulseScripts, observe: CommandObserver): PulseScripts {
  const time =
    <A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const started = performance.now();
      try {
        return await fn(...args);
      } finally {
        observe(name, (performance.now() - started) / 1000);
      }
    };
  return {
    publishBatch: time('publish', scripts.publishBatch),
    variant: time('variant', scripts.variant),
    read: time('read', scripts.read),
    presence: time('presence', scripts.presence),
  };
}
