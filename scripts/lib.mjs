// Helpers shared by the local run scripts (start.mjs, cluster.mjs): free ports, waiting for a
// URL, child processes with prefixed output, and one Ctrl-C that stops them all.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const bin = (name) => join(root, 'node_modules', '.bin', name);

/**
 * Builds `packages` (names under @pulse/) with turbo; exits on failure. turbo needs the pinned
 * pnpm on PATH, which `npm run` provides and a plain `node scripts/….mjs` does not.
 */
export function buildPackages(packages, extraArgs = []) {
  const filters = packages.map((p) => `--filter=@pulse/${p}`);
  const PATH = [join(root, 'node_modules', '.bin'), process.env.PATH].join(delimiter);
  const build = spawnSync(
    bin('turbo'),
    ['run', 'build', ...extraArgs, ...filters, '--output-logs=errors-only'],
    { cwd: root, stdio: 'inherit', env: { ...process.env, PATH } },
  );
  if (build.status !== 0) process.exit(build.status ?? 1);
}

/** `preferred` when it is free, else any free port. */
export function freePort(preferred) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => {
      const any = createServer();
      any.listen(0, '127.0.0.1', () => {
        const { port } = any.address();
        any.close(() => resolve(port));
      });
    });
    probe.listen(preferred, '0.0.0.0', () => probe.close(() => resolve(preferred)));
  });
}

/** Resolves once `url` answers 2xx; throws after `timeoutMs`. */
export async function waitFor(url, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not come up at ${url}`);
}

const children = [];
let stopping = false;

/**
 * Starts a child whose output is prefixed with its name; if it dies, everything stops.
 * `last` children (a database) are stopped after the others have exited; a `survivable` child
 * may die alone (a gateway in the cluster demo, whose clients move to the other one).
 */
export function start(name, cmd, args, env, cwd = root, { last = false, survivable = false } = {}) {
  const child = spawn(cmd, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${name}]`.padEnd(12);
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream.on('data', (chunk) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(`${prefix}${line}\n`);
    });
  }
  child.on('error', (err) => {
    console.error(`${prefix}${err.message}`);
    stop(1);
  });
  child.on('exit', (code, signal) => {
    if (!stopping && survivable) {
      console.error(`${prefix}exited (${signal ?? code}); the others carry on`);
    } else if (!stopping) {
      console.error(`${prefix}exited (${signal ?? code}); stopping`);
      stop(1);
    }
  });
  child.stopLast = last;
  children.push(child);
  return child;
}

const exited = (c) =>
  new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', r)));

/** Stops every child with SIGTERM (`last` ones after the rest), exiting after at most 8 s. */
export function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(code), 8000).unref();
  const first = children.filter((c) => !c.stopLast);
  const then = children.filter((c) => c.stopLast);
  first.forEach((c) => c.kill('SIGTERM'));
  Promise.all(first.map(exited))
    .then(() => {
      then.forEach((c) => c.kill('SIGTERM'));
      return Promise.all(then.map(exited));
    })
    .then(() => process.exit(code));
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

/** The demo simulator against `wsUrl`, sized by SIM_DEVICES, SIM_HZ, SIM_SYMBOLS, SIM_TICK_HZ. */
export function startSimulator(wsUrl, secret) {
  const env = (name, fallback) => process.env[name] ?? fallback;
  return start(
    'simulator',
    process.execPath,
    [
      'apps/simulator/dist/cli.js',
      ...['--url', wsUrl, '--devices', env('SIM_DEVICES', '12'), '--hz', env('SIM_HZ', '2')],
      ...['--symbols', env('SIM_SYMBOLS', '8'), '--tick-hz', env('SIM_TICK_HZ', '5')],
    ],
    { JWT_SECRET: secret },
  );
}

/**
 * The console's Vite dev server on `port`, proxying to `gatewayUrl`; resolves once it serves.
 * It listens on loopback like the gateway: the demo's tokens are for this machine only
 * (DASHBOARD_HOST=0.0.0.0 shows it to the network, whose browsers then get no token).
 */
export async function startDashboard(port, gatewayUrl) {
  start(
    'dashboard',
    bin('vite'),
    ['--port', String(port), '--strictPort', '--host', process.env.DASHBOARD_HOST ?? '127.0.0.1'],
    { PULSE_GATEWAY_URL: gatewayUrl },
    join(root, 'apps/dashboard'),
  );
  await waitFor(`http://127.0.0.1:${port}/`, 'dashboard');
}
