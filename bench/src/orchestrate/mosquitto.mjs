// A private Mosquitto per measurement (the mqtt scenario's reference for the raw broker cost):
// `/usr/sbin/mosquitto` on a free loopback port with a generated config, nothing on disk,
// anonymous clients, no queue limits (so a checker that lags loses nothing), killed with the run.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '../loadgen/clock.mjs';
import { stopChild, track } from './children.mjs';
import { freePort } from './servers.mjs';

export const MOSQUITTO = process.env.BENCH_MOSQUITTO ?? '/usr/sbin/mosquitto';

/** Starts Mosquitto; resolves to a server handle like `startServer`'s once it accepts TCP. */
export async function startMosquitto({ timeoutMs = 10_000 } = {}) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'pulse-bench-mosquitto-'));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'log_dest stderr',
      'log_type error',
      // 0 = unlimited: the checker may lag behind the publishers without losing anything.
      'max_queued_messages 0',
      'max_inflight_messages 0',
      // As the gateway's listener (socket.setNoDelay).
      'set_tcp_nodelay true',
      '',
    ].join('\n'),
  );
  const child = track(
    spawn(MOSQUITTO, ['-c', conf], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  const output = [];
  child.stdout.on('data', (c) => output.push(c.toString()));
  child.stderr.on('data', (c) => output.push(c.toString()));
  const server = {
    kind: 'mosquitto',
    pid: child.pid,
    port,
    url: undefined,
    mqttUrl: `mqtt://127.0.0.1:${port}`,
    http: undefined,
    child,
    tail: (n = 20) => output.join('').split('\n').slice(-n).join('\n'),
    stop: async () => {
      await stopChild(child, 1000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + timeoutMs;
  let spawnError = '';
  child.once('error', (err) => (spawnError = err.message));
  while (!(await accepts(port))) {
    if (spawnError || child.exitCode !== null || Date.now() > deadline) {
      await server.stop();
      throw new Error(
        `${MOSQUITTO} did not come up on port ${port}: ${spawnError || output.join('').slice(-500)}`,
      );
    }
    await sleep(25);
  }
  return server;
}

function accepts(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
