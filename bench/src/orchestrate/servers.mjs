// Starting and stopping the two servers under test, each in its own process on a free loopback
// port, with a clear error (and the server's last output lines) when one does not come up.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopChild, track } from './children.mjs';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const GATEWAY_MAIN = 'apps/gateway/dist/main.js';
/**
 * The checkout whose built gateway is measured: this one, or BENCH_GATEWAY_ROOT (another
 * checkout with its dependencies installed and its gateway built, e.g. an older commit to
 * compare against; run.mjs then writes only to an explicit --out).
 */
export const GATEWAY_ROOT = process.env.BENCH_GATEWAY_ROOT
  ? resolve(process.env.BENCH_GATEWAY_ROOT)
  : REPO_ROOT;
const BASELINE_MAIN = fileURLToPath(new URL('../baseline-server.mjs', import.meta.url));
const SOCKETIO_MAIN = fileURLToPath(new URL('../socketio-server.mjs', import.meta.url));
const PARENT_GUARD = new URL('./parent-guard.mjs', import.meta.url).href;

/** A secret for the benchmark's short-lived gateways (they listen on 127.0.0.1 only). */
const JWT_SECRET = 'pulse-bench-secret-not-for-production-000';
/** Lets the runner read `/metrics` (served to admin tokens or this bearer token). */
const METRICS_TOKEN = 'pulse-bench-metrics-token';

/** Settings every benchmarked gateway gets; scenarios add their own on top. */
export const PULSE_BASE_ENV = {
  NODE_ENV: 'development',
  HOST: '127.0.0.1',
  JWT_SECRET,
  DEV_TOKENS: 'true',
  METRICS_TOKEN,
  CONNECT_RATE_PER_IP: '1000000',
  // Every load-generator connection comes from 127.0.0.1.
  MAX_CONNECTIONS_PER_IP: '1000000',
  CONTROL_LIMIT: '100000/100000',
  RATE_LIMIT_ABUSE: '1000000',
  // No durable history: the benchmark measures the live path (and must not write to disk).
  HISTORY: 'off',
};

/**
 * Extra Node flags for the servers under test, from BENCH_SERVER_NODE_ARGS (space-separated),
 * e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile them (Node refuses those in NODE_OPTIONS).
 */
const serverNodeArgs = () => (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);

/**
 * The node binary the servers under test run on: BENCH_SERVER_NODE (run.mjs sets it from
 * `--node`/`--node24`), else the runner's own. Load generators always run on the runner's node,
 * so a comparison across Node versions changes only the server side.
 */
export const serverNode = () => process.env.BENCH_SERVER_NODE || process.execPath;

/** Nest colours its log lines; error messages quote them plain. */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const stripAnsi = (s) => s.replace(ANSI, '');

/** Asks the kernel for a free loopback port. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts one server process and waits until it serves.
 * @param {'pulse' | 'baseline' | 'socketio'} kind
 * @param {Record<string, string>} env scenario settings (Pulse only)
 * @param {{timeoutMs?: number, redisUrl?: string}} [options] a Redis to scale through (Pulse: the
 *   Redis bus; Socket.IO: the Redis adapter); without it Pulse runs on the in-memory bus
 */
export async function startServer(kind, env = {}, { timeoutMs = 20_000, redisUrl } = {}) {
  const port = await freePort();
  // Benchmarks drive WebSockets; 1883 may be another broker's. The mqtt scenario asks for the
  // embedded broker with MQTT_PORT=free: a free loopback port, as for HTTP.
  const mqttPort = kind === 'pulse' && env.MQTT_PORT === 'free' ? await freePort() : undefined;
  const childEnv = {
    ...process.env,
    ...(kind === 'pulse' ? { ...PULSE_BASE_ENV, ...env } : { HOST: '127.0.0.1' }),
    PORT: String(port),
    ...(kind === 'pulse' ? { MQTT_PORT: mqttPort === undefined ? 'off' : String(mqttPort) } : {}),
  };
  delete childEnv.REDIS_URL; // never the machine's shared Redis
  if (kind === 'pulse' && redisUrl) childEnv.REDIS_URL = redisUrl;
  const main = {
    pulse: [resolve(GATEWAY_ROOT, GATEWAY_MAIN)],
    baseline: [BASELINE_MAIN, String(port)],
    socketio: [SOCKETIO_MAIN, String(port), ...(redisUrl ? [redisUrl] : [])],
  }[kind];
  const child = track(
    spawn(serverNode(), [...serverNodeArgs(), '--import', PARENT_GUARD, ...main], {
      cwd: kind === 'pulse' ? GATEWAY_ROOT : REPO_ROOT,
      env: childEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  const output = [];
  const keep = (chunk) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) output.push(stripAnsi(line));
    if (output.length > 200) output.splice(0, output.length - 200);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const server = {
    kind,
    pid: child.pid,
    port,
    url: {
      pulse: `ws://127.0.0.1:${port}/ws`,
      baseline: `ws://127.0.0.1:${port}/`,
      socketio: `http://127.0.0.1:${port}`,
    }[kind],
    http: `http://127.0.0.1:${port}`,
    mqttUrl: mqttPort === undefined ? undefined : `mqtt://127.0.0.1:${mqttPort}`,
    child,
    /** The last lines the server printed. */
    tail: (n = 20) => output.slice(-n).join('\n'),
    // The baseline has nothing to clean up (and may be busy with a backlog): no grace period.
    stop: () => stopChild(child, kind === 'pulse' ? 3000 : 200),
  };
  try {
    await waitUntilServing(server, timeoutMs);
  } catch (err) {
    await server.stop();
    const what = {
      pulse: `the Pulse gateway (node ${GATEWAY_MAIN})`,
      baseline: 'the baseline server',
      socketio: 'the Socket.IO server',
    }[kind];
    throw new Error(
      `${what} did not come up on port ${port}: ${err.message}\n--- its last output ---\n${server.tail()}`,
    );
  }
  return server;
}

async function waitUntilServing(server, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let exited;
  server.child.once('exit', (code, signal) => (exited = `exited with ${signal ?? `code ${code}`}`));
  while (Date.now() < deadline) {
    if (exited) throw new Error(exited);
    if (server.kind !== 'pulse' ? server.tail(5).includes('READY') : await live(server.http))
      return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not serving after ${timeoutMs} ms`);
}

async function live(base) {
  try {
    const res = await fetch(`${base}/health/live`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * A token from the gateway's development route (the baseline does no auth: any string will do).
 * @param {'operator' | 'device' | 'feed' | 'admin'} role
 */
export async function devToken(server, role, sub) {
  if (server.kind !== 'pulse') return 'none';
  const res = await fetch(
    `${server.http}/auth/dev-token?role=${role}&sub=${encodeURIComponent(sub)}`,
    {
      signal: AbortSignal.timeout(5000),
    },
  );
  if (!res.ok)
    throw new Error(`GET /auth/dev-token answered ${res.status}: is DEV_TOKENS=true honoured?`);
  return /** @type {{token: string}} */ (await res.json()).token;
}

/** The gateway's Prometheus counters and gauges named pulse_* (buckets left out); null if unreadable. */
export async function scrapeMetrics(server) {
  if (server.kind !== 'pulse') return {};
  try {
    const res = await fetch(`${server.http}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      signal: AbortSignal.timeout(3000),
    });
    if (!res.ok) return null;
    const out = {};
    for (const line of (await res.text()).split('\n')) {
      if (!line.startsWith('pulse_') || line.includes('_bucket{')) continue;
      const sp = line.lastIndexOf(' ');
      out[line.slice(0, sp)] = Number(line.slice(sp + 1));
    }
    return out;
  } catch {
    return null;
  }
}
