import type { Cluster, Redis } from 'ioredis';
import { PRESENCE_LUA, PUBLISH_LUA, READ_LUA, VARIANT_LUA } from './lua.js';
import type { ReadReply } from './topic-snapshot.js';

type Arg = string | number;

/** The scripts of `lua.ts` (ioredis sends EVAL once per connection, then EVALSHA). */
export interface PulseScripts {
  /** → [seq, epoch, frame?] */
  publish(keys: readonly string[], args: readonly Arg[]): Promise<[number, string, string?]>;
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
  // A topic has at most two one-wildcard variants, whose index keys ride along on standalone.
  define('pulsePublish', PUBLISH_LUA, [2, 3, 4]);
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
    publish: (keys, args) => call('pulsePublish', keys, args),
    variant: (index, args) => call('pulseVariant', [index], args),
    // Frames stay Buffers: JSON sockets get them as they are.
    read: (meta, log, args) => call('pulseRead', [meta, log], args, true),
    presence: (keys, args) => call('pulsePresence', keys, args),
  };
}
