// A private Mosquitto per measurement (the mqtt scenario's reference for the raw broker cost):
// `/usr/sbin/mosquitto` on a free loopback port with a generated config, nothing on disk,
// anonymous clients, no queue limits (so a checker that lags loses nothing), killed with the run.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateServer, stopChild } from './children.mjs';
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
  const proc = privateServer(MOSQUITTO, ['-c', conf], { cwd: dir });
  const server = {
    kind: 'mosquitto',
    pid: proc.child.pid,
    port,
    url: undefined,
    mqttUrl: `mqtt://127.0.0.1:${port}`,
    http: undefined,
    child: proc.child,
    tail: proc.tail,
    stop: async () => {
      await stopChild(proc.child, 1000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await proc.untilUp(() => accepts(port), server.stop, { port, timeoutMs });
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
