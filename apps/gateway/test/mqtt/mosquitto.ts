import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { forgetServer, MOSQUITTO, recordServer } from '../redis/leftovers.js';
import { freePort } from '../redis/redis-server.js';

/** One `mosquitto` of our own on a free port; never the machine's on 1883. */
export interface Mosquitto extends AsyncDisposable {
  readonly port: number;
  /** `mqtt://127.0.0.1:<port>` */
  readonly url: string;
  /** SIGTERM: mosquitto saves its sessions and queued messages (persistence on), then exits. */
  stop(): Promise<void>;
  /** Starts it again on the same port, with what it saved. */
  start(): Promise<void>;
  /** Stops it for good and removes its folder. */
  dispose(): Promise<void>;
}

/**
 * Anonymous clients on loopback, persistence in a temp folder (so a restart keeps sessions
 * and what they had not acknowledged), no limit on queued or in-flight messages that would
 * drop data under a test's burst.
 */
export async function startMosquitto(): Promise<Mosquitto> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'pulse-mosquitto-'));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence true',
      // Run as root (CI), mosquitto would drop to the `mosquitto` user, which cannot write
      // into our temp folder; it keeps the user it was started as with this.
      `user ${userInfo().username}`,
      `persistence_location ${dir}/`,
      'max_queued_messages 0',
      'max_inflight_messages 0',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      'log_type notice',
      'log_type information',
      '',
    ].join('\n'),
  );
  let proc: ChildProcess | undefined = await spawnMosquitto(conf);
  const stop = async () => {
    const p = proc;
    proc = undefined;
    if (!p) return;
    p.kill('SIGTERM');
    await exited(p);
  };
  const dispose = async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    stop,
    start: async () => {
      if (!proc) proc = await spawnMosquitto(conf);
    },
    dispose,
    [Symbol.asyncDispose]: dispose,
  };
}

/** Resolves once mosquitto says it opened its listener. */
function spawnMosquitto(conf: string): Promise<ChildProcess> {
  const proc = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  recordServer(proc.pid);
  proc.once('exit', () => forgetServer(proc.pid));
  return new Promise((resolve, reject) => {
    let log = '';
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (/mosquitto version \S+ running/.test(log)) {
        proc.stderr!.off('data', onData);
        proc.stderr!.resume();
        proc.off('exit', onExit);
        resolve(proc);
      }
    };
    const onExit = (code: number | null) => reject(new Error(`mosquitto exited (${code}): ${log}`));
    proc.stderr!.on('data', onData);
    proc.stdout!.resume();
    proc.once('error', reject);
    proc.once('exit', onExit);
  });
}

function exited(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => proc.once('exit', () => resolve()));
}
