import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The redis-servers (and mosquittos, `mqtt/mosquitto.ts`) a test run started, one pid file each, so the run's teardown can kill any
 * that a timed-out test never disposed of (its `await using` never ran). The folder is this
 * run's own (`PULSE_TEST_REDIS_PIDS`), so another run's servers are never touched.
 */
const VAR = 'PULSE_TEST_REDIS_PIDS';

/** Debian's broker binary, which the bridge tests run. */
export const MOSQUITTO = '/usr/sbin/mosquitto';

/** Records a started server (no-op outside a run with the global setup). */
export function recordServer(pid: number | undefined): void {
  const dir = process.env[VAR];
  if (!dir || pid === undefined) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, String(pid)), '');
}

/** Forgets a server that exited. */
export function forgetServer(pid: number | undefined): void {
  const dir = process.env[VAR];
  if (dir && pid !== undefined) rmSync(join(dir, String(pid)), { force: true });
}

/** Vitest global setup: a pid folder for this run, and a teardown that empties it. */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-test-redis-'));
  process.env[VAR] = dir;
  return () => {
    for (const name of readdirSync(dir)) {
      const pid = Number(name);
      try {
        // Only a server of ours: a recycled pid may belong to anything by now.
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (cmdline.startsWith('redis-server') || cmdline.startsWith(MOSQUITTO))
          process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
}
