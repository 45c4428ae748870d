// Every process the benchmark starts is registered here and killed when the benchmark ends,
// however it ends (normal exit, error, Ctrl-C), so no server or load generator is left behind.

import { spawn } from 'node:child_process';
import { sleep } from '../loadgen/clock.mjs';

/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set();

/** Registers a child so it is killed when this process exits. */
export function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Kills every tracked child that is still running (by pid, never by name). */
export function killAll(signal = 'SIGKILL') {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
    }
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the child has exited. */
export function stopChild(child, graceMs = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

process.on('exit', () => killAll());
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}

/**
 * A private server process (redis-server, mosquitto) spawned with piped output: its output is
 * kept for the error, and `untilUp` resolves once `probe()` says it serves, or stops it (through
 * `stop`) and throws with its last output when it exits, fails to spawn or misses `timeoutMs`.
 */
export function privateServer(command, args, { cwd, label = command }) {
  const child = track(spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }));
  const output = [];
  child.stdout.on('data', (c) => output.push(c.toString()));
  child.stderr.on('data', (c) => output.push(c.toString()));
  let spawnError = '';
  child.once('error', (err) => (spawnError = err.message));
  return {
    child,
    tail: (n = 20) => output.join('').split('\n').slice(-n).join('\n'),
    async untilUp(probe, stop, { port, timeoutMs }) {
      const deadline = Date.now() + timeoutMs;
      while (!(await probe())) {
        if (spawnError || child.exitCode !== null || Date.now() > deadline) {
          await stop();
          throw new Error(
            `${label} did not come up on port ${port}: ${spawnError || output.join('').slice(-500)}`,
          );
        }
        await sleep(25);
      }
    },
  };
}
