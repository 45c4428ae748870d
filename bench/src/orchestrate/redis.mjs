// A private redis-server per measurement: a free loopback port, nothing on disk, killed with the
// run. Never the machine's shared Redis, whose load and contents are someone else's.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '../loadgen/clock.mjs';
import { stopChild, track } from './children.mjs';
import { freePort } from './servers.mjs';

/** Starts `redis-server` (from PATH) and resolves once it answers PING. */
export async function startRedis({ timeoutMs = 10_000 } = {}) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'pulse-bench-redis-'));
  const child = track(
    spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    ),
  );
  const output = [];
  child.stdout.on('data', (c) => output.push(c.toString()));
  child.stderr.on('data', (c) => output.push(c.toString()));
  const redis = {
    pid: child.pid,
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      await stopChild(child, 1000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + timeoutMs;
  let spawnError = '';
  child.once('error', (err) => (spawnError = err.message));
  while (!(await answersPing(port))) {
    if (spawnError || child.exitCode !== null || Date.now() > deadline) {
      await redis.stop();
      throw new Error(
        `redis-server did not come up on port ${port}: ${spawnError || output.join('').slice(-500)}`,
      );
    }
    await sleep(25);
  }
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
