// A rolling restart of the local cluster's gateways, one at a time, the way an orchestrator
// does it: SIGTERM (the gateway answers 503 on /health/ready, closes its clients with 1012 and
// drains), wait for it to exit, start it again, wait until it is ready and HAProxy has it back
// in rotation; only then the next one, so clients always have a gateway to move to.
//   node scripts/rolling-restart.mjs      (asks the running `npm run cluster` to do it)
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serverStates } from './haproxy.mjs';
import { waitFor } from './lib.mjs';

/** Where `npm run cluster` writes its pid and addresses, for this script to find it. */
export const clusterStateFile = fileURLToPath(new URL('../.pulse/cluster.json', import.meta.url));

/** Resolves once HAProxy at `statsUrl` reports server `name` as `state` (UP or DOWN). */
export async function waitForServer(statsUrl, name, state, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await serverStates(statsUrl)).get(name)?.startsWith(state)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`haproxy did not see ${name} ${state} within ${timeoutMs} ms`);
}

/**
 * Restarts each gateway in turn. `gateways[i]` is `{ name, url, child }`; `respawn(gateway)`
 * starts it again and returns the new child process.
 */
export async function rollingRestart(gateways, respawn, { statsUrl, log = console.log } = {}) {
  for (const gw of gateways) {
    const started = Date.now();
    const exited = new Promise((r) => gw.child.once('exit', r));
    log(`[restart] ${gw.name}: SIGTERM (pid ${gw.child.pid})`);
    gw.child.kill('SIGTERM');
    await exited;
    log(`[restart] ${gw.name}: drained and exited after ${Date.now() - started} ms`);
    gw.child = respawn(gw);
    await waitFor(`${gw.url}/health/ready`, gw.name, 30_000);
    await waitForServer(statsUrl, gw.name, 'UP');
    log(
      `[restart] ${gw.name}: back in rotation after ${Date.now() - started} ms (pid ${gw.child.pid})`,
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let state;
  try {
    state = JSON.parse(readFileSync(clusterStateFile, 'utf8'));
  } catch {
    console.error('[restart] no running cluster found (start one with `npm run cluster`)');
    process.exit(1);
  }
  // The cluster owns the gateway processes (it must start them again); SIGHUP asks it to, and
  // it counts finished restarts in the state file.
  const before = state.restarts;
  process.kill(state.pid, 'SIGHUP');
  console.log(`[restart] asked the cluster (pid ${state.pid}) for a rolling restart …`);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const now = JSON.parse(readFileSync(clusterStateFile, 'utf8'));
    if (now.restarts > before) break;
    if (now.error) {
      console.error(`[restart] FAILED: ${now.error}`);
      process.exit(1);
    }
    if (Date.now() > deadline) {
      console.error('[restart] no answer from the cluster within 120 s');
      process.exit(1);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  console.log('[restart] done: every gateway restarted and back in rotation');
}
