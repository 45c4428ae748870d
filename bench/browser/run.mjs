#!/usr/bin/env node
// Browser benchmark of the operator console: headless Chromium on the markets view with N
// live charts fed at R updates/s each by the real gateway and simulator, measuring frames
// per second (requestAnimationFrame) and main-thread busy time (CDP Performance.getMetrics
// TaskDuration) over a fixed window. Writes bench/results/browser.json.
//
//   node bench/browser/run.mjs [--charts 16] [--rate 20] [--duration 20] [--runs 3] [--warmup 8] [--no-build]
//                              [--screenshot page.png] [--out bench/results/browser.json]
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform, release, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromiumMissing, launchChromium } from '../../apps/dashboard/test/browser/chromium.mjs';
import { freePort, serveConsole } from '../../apps/dashboard/test/browser/serve-console.mjs';
import { measureOnce, median, round } from './measure.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values: flags } = parseArgs({
  options: {
    charts: { type: 'string', default: '16' },
    rate: { type: 'string', default: '20' },
    duration: { type: 'string', default: '20' },
    runs: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '8' },
    out: { type: 'string', default: join(root, 'bench', 'results', 'browser.json') },
    'no-build': { type: 'boolean', default: false },
    /** Saves what the page looked like at the end of the run (to check the setup). */
    screenshot: { type: 'string' },
  },
});
const charts = Number(flags.charts);
const rate = Number(flags.rate);
const durationS = Number(flags.duration);
const runs = Math.max(1, Number(flags.runs));
const warmupS = Number(flags.warmup);
const TARGET = { fps: 55, busyPct: 30 };

const missing = chromiumMissing();
if (missing) {
  console.error(`browser bench: ${missing}`);
  process.exit(2);
}

const children = [];
/** @param {string} name @param {string[]} args @param {Record<string, string>} env */
function start(name, args, env) {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => (err = (err + d).slice(-2000)));
  child.once('exit', (code, signal) => {
    if (!stopping) console.error(`${name} exited (${signal ?? code}):\n${err}`);
  });
  children.push(child);
  return child;
}
let stopping = false;

async function waitFor(url) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not come up`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  if (!flags['no-build']) {
    console.log('building gateway and simulator …');
    const turbo = join(root, 'node_modules', '.bin', 'turbo');
    const filters = ['--filter=@pulse/gateway', '--filter=@pulse/simulator'];
    const built = spawnSync(turbo, ['run', 'build', ...filters, '--output-logs=errors-only'], {
      cwd: root,
      stdio: 'inherit',
    });
    if (built.status !== 0) throw new Error('build failed');
  }
  const port = await freePort();
  const gatewayUrl = `http://127.0.0.1:${port}`;
  const secret = randomBytes(32).toString('base64url');
  start('gateway', ['apps/gateway/dist/main.js'], {
    PORT: String(port),
    MQTT_PORT: 'off', // the browser bench drives WebSockets; 1883 may be another broker's
    HOST: '127.0.0.1',
    JWT_SECRET: secret,
    DEV_TOKENS: 'true',
    // The default policy: prices at most 20/s per subscriber, the rate the charts get.
    TOPIC_POLICIES: 'price.*=20:conflate;device.*.*=5:aggregate',
    ALARM_RULES: 'none',
    // The benchmark measures the live path, and must not write to disk.
    HISTORY: 'off',
  });
  await waitFor(`${gatewayUrl}/health/ready`);
  start(
    'simulator',
    [
      'apps/simulator/dist/cli.js',
      ...['--url', `ws://127.0.0.1:${port}/ws`, '--devices', '0', '--symbols', String(charts)],
      ...['--tick-hz', String(rate), '--ack-ratio', '0', '--seed', '1', '--quiet'],
    ],
    { JWT_SECRET: secret },
  );
  console.log('building and serving the console …');
  const server = await serveConsole(gatewayUrl);
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1200 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    await page.goto(`${server.url}#/markets`);
    await page.waitForFunction(
      (n) => document.querySelectorAll('.chart[data-series]').length >= n,
      charts,
      {
        timeout: 30_000,
      },
    );
    console.log(
      `${charts} charts up; warming up ${warmupS} s, then ${runs} × ${durationS} s measured …`,
    );
    await sleep(warmupS * 1000);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain: 'timeTicks' });
    const measured = [];
    let probes;
    for (let i = 0; i < runs; i++) {
      const once = await measureOnce(page, cdp, durationS);
      probes = once.probes;
      measured.push(once.result);
      const r = once.result;
      console.log(
        `  run ${i + 1}: ${r.fps} fps, busy ${r.mainThreadBusyPct} % (cpu ${r.mainThreadCpuPct} %), load ${r.loadAverage.join('/')}`,
      );
    }
    if (flags.screenshot) await page.screenshot({ path: flags.screenshot });
    const result = {
      benchmark: 'operator console in headless Chromium: markets view, live line charts',
      command: `node bench/browser/run.mjs --charts ${charts} --rate ${rate} --duration ${durationS} --runs ${runs} --warmup ${warmupS}`,
      date: new Date().toISOString(),
      setup: {
        charts,
        chartsOnScreen: probes.onScreen,
        offeredUpdatesPerChartPerS: rate,
        gatewayPolicy: 'price.*=20:conflate (max 20 updates/s per chart)',
        window: '1 min line charts, one price.* subscription',
        viewport: probes.viewport,
        build: 'vite production build served by vite preview',
        note:
          'mainThreadBusyPct is wall time in tasks (CDP TaskDuration); mainThreadCpuPct the CPU ' +
          'time the thread got (ThreadTime). On a small shared machine the gap between them is ' +
          'time the thread waited for a core; loadAverage is given per run.',
      },
      // The median of the runs; each run follows.
      results: median(measured),
      runs: measured,
      target: TARGET,
      machine: {
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: cpus().length,
        memoryGiB: round(totalmem() / 2 ** 30),
        os: `${platform()} ${release()} ${arch()}`,
        node: process.version,
        chromium: browser.version(),
      },
    };
    result.pass =
      result.results.fps >= TARGET.fps && result.results.mainThreadBusyPct <= TARGET.busyPct;
    mkdirSync(dirname(flags.out), { recursive: true });
    writeFileSync(flags.out, `${JSON.stringify(result, null, 2)}\n`);
    const r = result.results;
    console.log(
      `median: fps ${r.fps} (frame p95 ${r.frameP95Ms} ms) · main thread busy ${r.mainThreadBusyPct} % ` +
        `(cpu ${r.mainThreadCpuPct} %, script ${r.scriptPct} %) · ${r.chartUpdatesDrawnPerChartPerS} updates/s drawn per chart · ` +
        `${result.setup.chartsOnScreen}/${charts} charts on screen → ${relative(process.cwd(), flags.out)} ` +
        `[${result.pass ? 'meets' : 'misses'} ≥ ${TARGET.fps} fps, ≤ ${TARGET.busyPct} % busy]`,
    );
  } finally {
    await browser.close();
    stopping = true;
    await server.close();
    for (const c of children) c.kill('SIGTERM');
  }
}

main().catch((err) => {
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  console.error(err);
  process.exit(1);
});
