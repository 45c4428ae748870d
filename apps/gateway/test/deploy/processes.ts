import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../redis/redis-server.js';
import { TEST_SECRET } from '../gateway-resource.js';

/** The repository root. */
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
export const haproxyConfig = `${repoRoot}deploy/haproxy.cfg`;

/**
 * Resolves once `check` returns true (a throw counts as not yet: a server still starting
 * refuses connections); polls every 50 ms, fails naming `what` after `timeoutMs`.
 */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (
    !(await Promise.resolve()
      .then(check)
      .catch(() => false))
  ) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs `cmd` to completion; rejects with its output when it fails. */
export function run(
  cmd: string,
  args: string[],
  cwd = repoRoot,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    proc.once('error', reject);
    proc.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')}: ${code}\n${out}`)),
    );
  });
}

export const exited = (proc: ChildProcess): Promise<void> =>
  proc.exitCode !== null || proc.signalCode !== null
    ? Promise.resolve()
    : new Promise((r) => proc.once('exit', () => r()));

export interface GatewayProcess {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  proc: ChildProcess;
  /** Starts it again on the same port with the same environment; resolves when ready. */
  restart(): Promise<void>;
  /** SIGTERM and wait for the exit (the drain included). */
  stop(): Promise<void>;
}

/**
 * A gateway as its own `node` process (`entry`: a built dist/main.js), on a free port;
 * resolves once /health/ready is 200.
 */
export async function startGatewayProcess(
  name: string,
  env: Record<string, string>,
  entry: string,
): Promise<GatewayProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const fullEnv = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    MQTT_PORT: 'off',
    SERVER_ID: name,
    JWT_SECRET: TEST_SECRET,
    LOG_LEVEL: 'error',
    ...env,
  };
  let output = '';
  const spawnIt = () => {
    output = '';
    const proc = spawn(process.execPath, [entry], {
      env: fullEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    return proc;
  };
  const ready = async (proc: ChildProcess) => {
    try {
      await waitUntil(async () => {
        if (proc.exitCode !== null) throw new Error(`${name} exited: ${output}`);
        return (await fetch(`${url}/health/ready`)).ok;
      }, `${name} ready at ${url}`);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${output}`);
    }
  };
  const gw: GatewayProcess = {
    name,
    port,
    url,
    proc: spawnIt(),
    restart: async () => {
      gw.proc = spawnIt();
      await ready(gw.proc);
    },
    stop: async () => {
      gw.proc.kill('SIGTERM');
      await exited(gw.proc);
    },
  };
  await ready(gw.proc);
  return gw;
}

export interface Haproxy {
  readonly url: string;
  readonly wsUrl: string;
  readonly statsUrl: string;
  readonly proc: ChildProcess;
  /** HAProxy's status of server `name` (gateway-1, gateway-2): UP, DOWN, … */
  state(name: string): Promise<string | undefined>;
  stop(): Promise<void>;
}

/** Debian's HAProxy on deploy/haproxy.cfg in front of two gateways, all on loopback. */
export async function startHaproxy(gateways: readonly GatewayProcess[]): Promise<Haproxy> {
  const [port, statsPort] = [await freePort(), await freePort()];
  const proc = spawn('haproxy', ['-db', '-f', haproxyConfig], {
    env: {
      PATH: process.env.PATH ?? '',
      BALANCER_BIND: `127.0.0.1:${port}`,
      STATS_BIND: `127.0.0.1:${statsPort}`,
      GATEWAY_1: `127.0.0.1:${gateways[0]!.port}`,
      GATEWAY_2: `127.0.0.1:${gateways[1]!.port}`,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  proc.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const statsUrl = `http://127.0.0.1:${statsPort}/`;
  const state = async (name: string) => {
    const csv = await (await fetch(`${statsUrl};csv`)).text();
    const [header, ...rows] = csv.split('\n');
    const cols = header!.replace(/^# /, '').split(',');
    const row = rows.map((r) => r.split(',')).find((f) => f[cols.indexOf('svname')] === name);
    return row?.[cols.indexOf('status')];
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(
      async () => (await state('gateway-1')) === 'UP' && (await state('gateway-2')) === 'UP',
      'haproxy up with both gateways',
    );
  } catch (err) {
    proc.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${log}`);
  }
  return {
    url,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    statsUrl,
    proc,
    state,
    stop: async () => {
      proc.kill('SIGTERM');
      await exited(proc);
    },
  };
}
