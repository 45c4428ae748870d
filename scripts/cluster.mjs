// `pnpm cluster`: the scaled topology with local processes only — a redis-server of its own,
// two gateways sharing it, HAProxy in front (deploy/haproxy.cfg, the config docker-compose.yml
// uses too), and the simulator and dashboard (when present) talking to the balancer.
// Ctrl-C stops everything. `node scripts/rolling-restart.mjs` (or SIGHUP to this process)
// restarts the gateways one at a time while clients stay connected.
//   --check   verify it end to end (see cluster-check.mjs), roll both gateways, verify again, exit
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { checkCluster } from './cluster-check.mjs';
import { requireHaproxy, startHaproxy } from './haproxy.mjs';
import { ensureInstalled } from './install.mjs';
import {
  buildPackages,
  freePort,
  root,
  start,
  startDashboard,
  startSimulator,
  stop,
  waitFor,
} from './lib.mjs';
import { clusterStateFile, rollingRestart } from './rolling-restart.mjs';

const checkOnly = process.argv.includes('--check');

/** Resolves once Redis answers PING on `port`. */
async function waitForRedis(port, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const pong = await new Promise((resolve) => {
      const s = connect(port, '127.0.0.1', () => s.write('PING\r\n'));
      s.once('data', (d) => (s.destroy(), resolve(d.toString().startsWith('+PONG'))));
      s.once('error', () => resolve(false));
    });
    if (pong) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`redis-server did not answer on ${port}`);
}

if (spawnSync('redis-server', ['--version']).error) {
  console.error(
    '[pulse] redis-server not found: install Redis (apt install redis-server, brew install redis)',
  );
  process.exit(1);
}
requireHaproxy();
// The simulator and dashboard join when they exist in this checkout.
const withSimulator = existsSync(join(root, 'apps/simulator/src'));
const withDashboard = !checkOnly && existsSync(join(root, 'apps/dashboard/index.html'));

ensureInstalled();
// Build what this checkout has (a branch may not carry every package yet); the packages
// resolve each other's types from source, so --only (no dependency tasks) is safe.
const present = (dir) => existsSync(join(root, dir, 'src'));
const packages = ['protocol', 'gateway'];
if (present('packages/client')) packages.push('client');
if (withSimulator && !checkOnly) packages.push('simulator');
console.log(`[pulse] building ${packages.join(', ')} …`);
buildPackages(packages, ['--only']);

const redisPort = await freePort(Number(process.env.REDIS_PORT ?? 6380));
const balancerPort = await freePort(Number(process.env.PORT ?? 8080));
const statsPort = await freePort(Number(process.env.STATS_PORT ?? 8404));
const gatewayPorts = [await freePort(8081), await freePort(8082)];
const dashboardPort = await freePort(Number(process.env.DASHBOARD_PORT ?? 5173));
const secret = process.env.JWT_SECRET ?? randomBytes(32).toString('base64url');
const redisUrl = `redis://127.0.0.1:${redisPort}`;

start(
  'redis',
  'redis-server',
  ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
  {},
  root,
  {
    last: true, // gateways drain (presence leaves) before Redis goes
  },
);
await waitForRedis(redisPort);

/** Starts gateway `gw` (again): the same port and environment each time. */
function startGateway(gw) {
  return start(
    gw.name,
    process.execPath,
    ['apps/gateway/dist/main.js'],
    {
      PORT: String(gw.port),
      // MQTT across instances comes with the broker bridge (issue #12); /mqtt still works.
      MQTT_PORT: 'off',
      SERVER_ID: gw.name,
      REDIS_URL: redisUrl,
      // HAProxy runs here and adds X-Forwarded-For: per-address limits count the clients.
      TRUSTED_PROXIES: 'loopback',
      JWT_SECRET: secret,
      DEV_TOKENS: 'true',
      // Durable history needs one shared PostgreSQL across instances (one embedded DATA_DIR
      // cannot be shared): on with DATABASE_URL, off without.
      HISTORY: process.env.DATABASE_URL ? 'on' : 'off',
    },
    root,
    { survivable: true },
  );
}

// Named as deploy/haproxy.cfg names its servers, so the stats page and these logs agree.
const gateways = gatewayPorts.map((port, i) => {
  const gw = { name: `gateway-${i + 1}`, port, url: `http://127.0.0.1:${port}` };
  gw.child = startGateway(gw);
  return gw;
});
await Promise.all(gateways.map((g) => waitFor(`${g.url}/health/ready`, g.name)));

// On loopback like the gateways: this is a local demo, and dev tokens are for this machine.
const balancer = await startHaproxy({
  bind: `127.0.0.1:${balancerPort}`,
  gateways: gateways.map((g) => `127.0.0.1:${g.port}`),
  statsBind: `127.0.0.1:${statsPort}`,
});
const balancerUrl = balancer.url;
const roll = () => rollingRestart(gateways, startGateway, { statsUrl: balancer.statsUrl });

if (checkOnly) {
  try {
    await checkCluster(balancerUrl);
    await roll();
    await checkCluster(balancerUrl);
    console.log(
      '[check] ok: redis, two gateways and haproxy work end to end, before and after a rolling restart',
    );
    stop(0);
  } catch (err) {
    console.error(`[check] FAILED: ${err.message}`);
    stop(1);
  }
} else {
  // For scripts/rolling-restart.mjs: who to signal, and how many restarts have finished.
  const state = { pid: process.pid, balancer: balancerUrl, restarts: 0, error: undefined };
  const save = () => writeFileSync(clusterStateFile, JSON.stringify(state));
  mkdirSync(dirname(clusterStateFile), { recursive: true });
  save();
  process.on('exit', () => rmSync(clusterStateFile, { force: true }));
  let rolling = false;
  process.on('SIGHUP', () => {
    if (rolling) return;
    rolling = true;
    roll()
      .then(
        () => ((state.restarts += 1), (state.error = undefined)),
        (err) => (state.error = err.message),
      )
      .finally(() => ((rolling = false), save()));
  });

  if (withSimulator && existsSync(join(root, 'apps/simulator/dist/cli.js'))) {
    startSimulator(`ws://127.0.0.1:${balancerPort}/ws`, secret);
  }
  if (withDashboard) await startDashboard(dashboardPort, balancerUrl);
  console.log(`
  Pulse cluster is running (Redis ${redisUrl}).
    Balancer   ${balancerUrl}  (HAProxy; ws ${balancerUrl.replace('http', 'ws')}/ws, stats ${balancer.statsUrl})
${gateways.map((g) => `    ${g.name.padEnd(10)} ${g.url}  pid ${g.child.pid}`).join('\n')}
${withDashboard ? `    Dashboard  http://localhost:${dashboardPort}/\n` : ''}${withSimulator ? '' : '    (no simulator in this checkout)\n'}
  node scripts/rolling-restart.mjs restarts the gateways one at a time; clients move and resume.
  Ctrl-C stops everything.
`);
}
