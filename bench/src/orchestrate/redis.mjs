// A private redis-server per measurement: a free loopback port, nothing on disk, killed with the
// run. Never the machine's shared Redis, whose load and contents are someone else's.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateServer, stopChild } from './children.mjs';
import { freePort } from './servers.mjs';

/** Starts `redis-server` (from PATH) and resolves once it answers PING. */
export async function startRedis({ timeoutMs = 10_000 } = {}) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'pulse-bench-redis-'));
  const proc = privateServer(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { cwd: dir },
  );
  const redis = {
    pid: proc.child.pid,
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      await stopChild(proc.child, 1000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await proc.untilUp(() => answersPing(port), redis.stop, { port, timeoutMs });
  return redis;
}

function answersPing(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
