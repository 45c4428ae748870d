// `npm start`: installs, builds, and runs the whole demo — gateway, simulator and dashboard —
// on the embedded in-memory bus, then prints the URL to open. Ctrl-C stops everything.
import { randomBytes } from 'node:crypto';
import { ensureInstalled } from './install.mjs';
import { buildPackages, freePort, start, startDashboard, startSimulator, waitFor } from './lib.mjs';

ensureInstalled();
console.log('[pulse] building protocol, client, gateway and simulator …');
buildPackages(['gateway', 'simulator']);

const gatewayPort = await freePort(Number(process.env.PORT ?? 8080));
const dashboardPort = await freePort(Number(process.env.DASHBOARD_PORT ?? 5173));
// MQTT like HTTP: 1883 unless it is taken (often by a local Mosquitto), then any free port;
// MQTT_PORT=off turns the listener off.
const mqttPort =
  process.env.MQTT_PORT === 'off' ? 'off' : await freePort(Number(process.env.MQTT_PORT ?? 1883));
const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
// One secret for this run: the gateway verifies with it, the simulator mints device tokens
// with it, and the dashboard gets an operator token from the gateway's dev-token route.
const secret = process.env.JWT_SECRET ?? randomBytes(32).toString('base64url');

start('gateway', process.execPath, ['apps/gateway/dist/main.js'], {
  PORT: String(gatewayPort),
  MQTT_PORT: String(mqttPort),
  JWT_SECRET: secret,
  DEV_TOKENS: 'true',
});
await waitFor(`${gatewayUrl}/health/ready`, 'gateway');
startSimulator(`ws://127.0.0.1:${gatewayPort}/ws`, secret);
await startDashboard(dashboardPort, gatewayUrl);

console.log(`
  Pulse is running.
    Dashboard  http://localhost:${dashboardPort}/
    Gateway    ${gatewayUrl}  (ws ${gatewayUrl.replace('http', 'ws')}/ws, health /health/ready)
    MQTT       ${mqttPort === 'off' ? 'off (MQTT_PORT=off)' : `mqtt://127.0.0.1:${mqttPort}`}  (and ${gatewayUrl.replace('http', 'ws')}/mqtt; password = a device token)
  Ctrl-C stops everything.
`);
