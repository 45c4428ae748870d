import type { Cluster, Redis } from 'ioredis';
import { PRESENCE_LUA, PUBLISH_LUA, READ_LUA, VARIANT_LUA } from './lua.js';
import type { ReadReply } from './topic-snapshot.js';

type Arg = string | number;

/** The scripts of `lua.ts` as commands (ioredis sends EVAL once per connection, then EVALSHA). */
export interface PulseScripts {
  /** numKeys, keys…, args… → [seq, epoch, frame?] */
  pulsePublish(numKeys: number, ...keysAndArgs: Arg[]): Promise<[number, string, string?]>;
  pulseVariant(index: string, ...args: Arg[]): Promise<number>;
  pulseReadBuffer(meta: string, log: string, ...args: Arg[]): Promise<ReadReply>;
  /** numKeys, keys…, args… → [changed, holdsLease, seq?, epoch?, frame?] */
  pulsePresence(
    numKeys: number,
    ...keysAndArgs: Arg[]
  ): Promise<[number, number, number?, string?, string?]>;
}

export function defineScripts(client: Redis | Cluster): PulseScripts {
  client.defineCommand('pulsePublish', { lua: PUBLISH_LUA });
  client.defineCommand('pulseVariant', { lua: VARIANT_LUA, numberOfKeys: 1 });
  client.defineCommand('pulseRead', { lua: READ_LUA, numberOfKeys: 2 });
  client.defineCommand('pulsePresence', { lua: PRESENCE_LUA });
  return client as unknown as PulseScripts;
}
