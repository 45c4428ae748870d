// `npm start`: installs, builds, and runs the whole demo — gateway, simulator and dashboard —
// on the embedded in-memory bus, then prints the URL to open. Ctrl-C stops everything.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ensureInstalled } from './install.mjs';
import { bin, buildPackages, freePort, root, start, waitFor } from './lib.mjs';

ensureInstalled();
console.log('[pulse] building protocol, client, gateway and simulator …');
buildPackages(['gateway', 'simulator']);

const gatewayPort = await freePort(Number(process.env.PORT ?? 8080));
const dashboardPort = await freePort(Number(process.env.DASHBOARD_PORT ?? 5173));
const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
// One secret for this run: the gateway verifies with it, the simulator mints device tokens
// with it, and the dashboard gets an operator token from the gateway's dev-token route.
const secret = process.env.JWT_SECRET ?? randomBytes(32).toString('base64url');

start('gateway', process.execPath, ['apps/gateway/dist/main.js'], {
  PORT: String(gatewayPort),
  JWT_SECRET: secret,
  DEV_TOKENS: 'true',
});
await waitFor(`${gatewayUrl}/health/ready`, 'gateway');
start(
  'simulator',
  process.execPath,
  [
    'apps/simulator/dist/cli.js',
    '--url',
    `ws://127.0.0.1:${gatewayPort}/ws`,
    '--devices',
    process.env.SIM_DEVICES ?? '12',
    '--hz',
    process.env.SIM_HZ ?? '2',
    '--symbols',
    process.env.SIM_SYMBOLS ?? '8',
    '--tick-hz',
    process.env.SIM_TICK_HZ ?? '5',
  ],
  { JWT_SECRET: secret },
);
start(
  'dashboard',
  bin('vite'),
  ['--port', String(dashboardPort), '--strictPort', '--host', '0.0.0.0'],
  { PULSE_GATEWAY_URL: gatewayUrl },
  join(root, 'apps/dashboard'),
);
await waitFor(`http://127.0.0.1:${dashboardPort}/`, 'dashboard');

console.log(`
  Pulse is running.
    Dashboard  http://localhost:${dashboardPort}/
    Gateway    ${gatewayUrl}  (ws ${gatewayUrl.replace('http', 'ws')}/ws, health /health/ready)
  Ctrl-C stops everything.
`);
