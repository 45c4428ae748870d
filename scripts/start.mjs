// `npm start`: installs, builds, and runs the whole demo — gateway, simulator and dashboard —
// on the embedded in-memory bus, then prints the URL to open. Ctrl-C stops everything.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureInstalled } from './install.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

function freePort(preferred) {
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

async function waitFor(url, what, timeoutMs = 60_000) {
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
function start(name, cmd, args, env, cwd = root) {
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `[${name}]`.padEnd(12);
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream.on('data', (chunk) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(`${prefix}${line}\n`);
    });
  }
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${prefix}exited (${signal ?? code}); stopping the demo`);
      stop(1);
    }
  });
  children.push(child);
  return child;
}

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 4000).unref();
  Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.once('exit', r))))).then(() => process.exit(code));
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

ensureInstalled();
console.log('[pulse] building protocol, client, gateway and simulator …');
const build = spawnSync(bin('turbo'), ['run', 'build', '--filter=@pulse/gateway', '--filter=@pulse/simulator', '--output-logs=errors-only'], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);

const gatewayPort = await freePort(Number(process.env.PORT ?? 8080));
const dashboardPort = await freePort(Number(process.env.DASHBOARD_PORT ?? 5173));
const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
// One secret for this run: the gateway verifies with it, the simulator mints device tokens
// with it, and the dashboard gets an operator token from the gateway's dev-token route.
const secret = process.env.JWT_SECRET ?? randomBytes(32).toString('base64url');

start('gateway', process.execPath, ['apps/gateway/dist/main.js'], { PORT: String(gatewayPort), JWT_SECRET: secret, DEV_TOKENS: 'true' });
await waitFor(`${gatewayUrl}/health/ready`, 'gateway');
start('simulator', process.execPath, [
  'apps/simulator/dist/cli.js',
  '--url', `ws://127.0.0.1:${gatewayPort}/ws`,
  '--devices', process.env.SIM_DEVICES ?? '12',
  '--hz', process.env.SIM_HZ ?? '2',
  '--symbols', process.env.SIM_SYMBOLS ?? '8',
  '--tick-hz', process.env.SIM_TICK_HZ ?? '5',
], { JWT_SECRET: secret });
start('dashboard', bin('vite'), ['--port', String(dashboardPort), '--strictPort', '--host', '0.0.0.0'], { PULSE_GATEWAY_URL: gatewayUrl }, join(root, 'apps/dashboard'));
await waitFor(`http://127.0.0.1:${dashboardPort}/`, 'dashboard');

console.log(`
  Pulse is running.
    Dashboard  http://localhost:${dashboardPort}/
    Gateway    ${gatewayUrl}  (ws ${gatewayUrl.replace('http', 'ws')}/ws, health /health/ready)
  Ctrl-C stops everything.
`);
