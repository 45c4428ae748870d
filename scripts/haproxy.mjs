// Runs Debian's HAProxy on deploy/haproxy.cfg (ADR 0004) for the local cluster: the same config
// file docker-compose.yml mounts, filled in through its environment variables.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root, start, waitFor } from './lib.mjs';

export const haproxyConfig = join(root, 'deploy', 'haproxy.cfg');

/** Exits with a hint when no `haproxy` binary is on PATH. */
export function requireHaproxy() {
  if (spawnSync('haproxy', ['-v']).error) {
    console.error(
      '[pulse] haproxy not found: install HAProxy (apt install haproxy, brew install haproxy)',
    );
    process.exit(1);
  }
}

/**
 * Starts HAProxy in the foreground (`-db`) in front of `gateways` (`host:port`, two of them, as
 * the config names gateway-1 and gateway-2); resolves once it routes to a ready gateway.
 */
export async function startHaproxy({ bind, gateways, statsBind }) {
  start('haproxy', 'haproxy', ['-db', '-f', haproxyConfig], {
    BALANCER_BIND: bind,
    GATEWAY_1: gateways[0],
    GATEWAY_2: gateways[1],
    STATS_BIND: statsBind,
  });
  await waitFor(`http://${bind}/health/ready`, 'haproxy');
  return { url: `http://${bind}`, statsUrl: `http://${statsBind}/` };
}

/** Server name → HAProxy's status of it (UP, DOWN, MAINT, …), from the stats page's CSV. */
export async function serverStates(statsUrl) {
  const csv = await (await fetch(`${statsUrl};csv`)).text();
  const [header, ...rows] = csv.split('\n');
  const cols = header.replace(/^# /, '').split(',');
  const [px, sv, status] = ['pxname', 'svname', 'status'].map((c) => cols.indexOf(c));
  const states = new Map();
  for (const row of rows) {
    const f = row.split(',');
    if (f[px] === 'gateways' && f[sv] !== 'BACKEND' && f[sv] !== 'FRONTEND')
      states.set(f[sv], f[status]);
  }
  return states;
}
