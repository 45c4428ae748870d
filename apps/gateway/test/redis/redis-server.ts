import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { forgetServer, recordServer } from './leftovers.js';

/** One `redis-server` process of our own on a free port; never the shared one on 6379. */
export interface RedisServer extends AsyncDisposable {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** SIGKILL: Redis is gone, and with it everything it held (no persistence). */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: Redis hangs with connections open, then resumes. */
  pause(): void;
  resume(): void;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  /** A client for assertions (closed on stop). */
  admin(): Redis;
  stop(): Promise<void>;
}

/** A free port whose cluster bus port (+10000) is free too. */
export async function freePort(withBusPort = false): Promise<number> {
  for (;;) {
    const port = withBusPort ? 20_000 + Math.floor(Math.random() * 35_000) : 0;
    const got = await listenable(port);
    if (got === undefined) continue;
    if (!withBusPort || (await listenable(got + 10_000)) !== undefined) return got;
  }
}

function listenable(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(undefined));
    probe.listen(port, '127.0.0.1', () => {
      const { port: bound } = probe.address() as { port: number };
      probe.close(() => resolve(bound));
    });
  });
}

/** Spawns redis-server and resolves once it logs that it accepts connections. */
function spawnRedis(args: string[], dir: string): Promise<ChildProcess> {
  const proc = spawn('redis-server', [...args, '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  recordServer(proc.pid);
  proc.once('exit', () => forgetServer(proc.pid));
  return new Promise((resolve, reject) => {
    let log = '';
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Ready to accept connections')) {
        proc.stdout!.off('data', onData);
        proc.stdout!.resume();
        resolve(proc);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.resume();
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${log}`)));
  });
}

function exited(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => proc.once('exit', () => resolve()));
}

/** A standalone Redis with nothing persisted. */
export async function startRedis(extra: string[] = []): Promise<RedisServer> {
  const port = await freePort(extra.includes('--cluster-enabled'));
  const dir = mkdtempSync(join(tmpdir(), 'pulse-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  let proc = await spawnRedis([...args, ...extra], dir);
  const admins: Redis[] = [];
  const kill = async () => {
    proc.kill('SIGKILL');
    await exited(proc);
  };
  const stop = async () => {
    await Promise.all(admins.splice(0).map((a) => a.quit().catch(() => a.disconnect())));
    proc.kill('SIGCONT');
    await kill();
    rmSync(dir, { recursive: true, force: true });
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    pause: () => proc.kill('SIGSTOP'),
    resume: () => proc.kill('SIGCONT'),
    restart: async () => {
      await kill();
      proc = await spawnRedis([...args, ...extra], dir);
    },
    admin: () => {
      const client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
      client.on('error', () => {});
      admins.push(client);
      return client;
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** A Redis Cluster on free ports (3 masters by default), with nothing persisted. */
export interface RedisCluster extends AsyncDisposable {
  readonly nodes: readonly RedisServer[];
  /** `127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3` for REDIS_CLUSTER_NODES. */
  readonly seeds: string;
  stop(): Promise<void>;
}

/**
 * `replicas` per master make failover possible: a replica takes over once the others have not
 * heard from its master for `nodeTimeoutMs`.
 */
export async function startRedisCluster(
  masters = 3,
  { replicas = 0, nodeTimeoutMs = 2000 } = {},
): Promise<RedisCluster> {
  const nodes: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
  };
  try {
    for (let i = 0; i < masters * (1 + replicas); i++) {
      nodes.push(
        await startRedis([
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `nodes-${i}.conf`,
          '--cluster-node-timeout',
          String(nodeTimeoutMs),
          // A replica syncs at once (the default waits 5 s for more replicas to batch with).
          '--repl-diskless-sync-delay',
          '0',
        ]),
      );
    }
    const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
    await run('redis-cli', [
      '--cluster',
      'create',
      ...addresses,
      '--cluster-replicas',
      String(replicas),
      '--cluster-yes',
    ]);
    // Slots are assigned at once; the nodes agree on it a moment later.
    await untilClusterOk(nodes);
    // A replica can take over only once it has synced with its master.
    if (replicas > 0) await untilReplicasSynced(nodes, masters * replicas);
    return { nodes, seeds: addresses.join(','), stop, [Symbol.asyncDispose]: stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Resolves once every node in `nodes` reports `cluster_state:ok`. */
export async function untilClusterOk(nodes: readonly RedisServer[], timeoutMs = 15_000) {
  const admins = nodes.map((n) => n.admin());
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const infos = await Promise.all(admins.map((a) => a.cluster('INFO')));
    if (infos.every((i) => i.includes('cluster_state:ok'))) return;
    if (Date.now() > deadline) throw new Error(`cluster not ok: ${infos.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Resolves once every replica of `master` has applied what `master` had written when this was
 * called (its `offset` in INFO replication reached the master's `master_repl_offset`).
 * Replication is asynchronous: a master killed before this may take its last writes with it.
 */
export async function untilReplicasCaughtUp(master: RedisServer, timeoutMs = 15_000) {
  const admin = master.admin();
  const offsetOf = (info: string, field: RegExp) => [...info.matchAll(field)].map((m) => Number(m[1]));
  const [target] = offsetOf(await admin.info('replication'), /master_repl_offset:(\d+)/g);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await admin.info('replication');
    const replicas = offsetOf(info, /^slave\d+:.*,offset=(\d+),/gm);
    if (replicas.length > 0 && replicas.every((o) => o >= target!)) return;
    if (Date.now() > deadline) throw new Error(`replicas behind offset ${target}: ${info}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function untilReplicasSynced(nodes: readonly RedisServer[], count: number) {
  const admins = nodes.map((n) => n.admin());
  const deadline = Date.now() + 15_000;
  for (;;) {
    const infos = await Promise.all(admins.map((a) => a.info('replication')));
    if (infos.filter((i) => i.includes('master_link_status:up')).length === count) return;
    if (Date.now() > deadline) throw new Error(`replicas not in sync: ${infos.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
    proc.once('error', reject);
    proc.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}: ${out}`)),
    );
  });
}
