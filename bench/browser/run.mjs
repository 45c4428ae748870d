#!/usr/bin/env node
// Browser benchmark of the operator console: headless Chromium on the markets view with N
// live charts fed at R updates/s each by the real gateway and simulator, measuring frames
// per second (requestAnimationFrame) and main-thread busy time (CDP Performance.getMetrics
// TaskDuration) over a fixed window. Each run measures both ways of drawing the charts on the
// same gateway and feed, one after the other: in the chart worker (OffscreenCanvas, the
// default) and on the main thread (`?offscreen=0`, the baseline). Writes
// bench/results/browser.json and bench/results/browser.md.
//
//   node bench/browser/run.mjs [--charts 16] [--rate 20] [--duration 20] [--runs 3] [--warmup 8] [--no-build]
//                              [--screenshot page.png (one per mode: page-offscreen.png …)] [--out bench/results/browser.json]
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { writeBrowserSummary } from './summary.mjs';
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
    /** After the measured runs, one more window per mode with the CPU profiler on; writes
     * <path>-<mode>.cpuprofile (open in Chrome DevTools) and prints the top self times. */
    profile: { type: 'string' },
  },
});
const charts = Number(flags.charts);
const rate = Number(flags.rate);
const durationS = Number(flags.duration);
const runs = Math.max(1, Number(flags.runs));
const warmupS = Number(flags.warmup);
/** Issue #14: a console that idles. */
const TARGET = { fps: 58, busyPct: 15 };
/** The two ways of drawing, in the order each run measures them. */
const MODES = [
  { name: 'offscreen', query: '', label: 'chart worker (OffscreenCanvas)' },
  { name: 'mainThread', query: '?offscreen=0', label: 'main thread (?offscreen=0)' },
];

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

/** The `n` functions with the most self time in a CDP CPU profile, one per line. */
function topSelfTimes(profile, n) {
  const dt = new Map();
  const { samples = [], timeDeltas = [] } = profile;
  for (let i = 0; i < samples.length; i++)
    dt.set(samples[i], (dt.get(samples[i]) ?? 0) + (timeDeltas[i] ?? 0));
  const total = [...dt.values()].reduce((a, b) => a + b, 0) || 1;
  const byFn = new Map();
  for (const node of profile.nodes) {
    const f = node.callFrame;
    const url = f.url.split('/').pop();
    const key = `${f.functionName || '(anonymous)'} ${url}:${f.lineNumber + 1}`;
    byFn.set(key, (byFn.get(key) ?? 0) + (dt.get(node.id) ?? 0));
  }
  return [...byFn]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, us]) => `  ${((us / total) * 100).toFixed(1).padStart(5)} %  ${k}`)
    .join('\n');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const git = (args) => spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout.trim();
/** What was measured: the commit when the run started (edits made meanwhile do not count). */
const commitMeasured = {
  commit: git(['rev-parse', 'HEAD']),
  dirty: git(['status', '--porcelain', '--untracked-files=no']) !== '',
};

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
    /** One measurement window of one mode on a fresh page (the previous one is closed). */
    const measureMode = async (mode) => {
      const context = await browser.newContext({ viewport: { width: 1920, height: 1200 } });
      try {
        const page = await context.newPage();
        page.on('pageerror', (e) => console.error(`page error (${mode.name}): ${e.message}`));
        await page.goto(`${server.url}${mode.query}#/markets`);
        await page.waitForFunction(
          (n) => document.querySelectorAll('.chart[data-series]').length >= n,
          charts,
          { timeout: 30_000 },
        );
        await sleep(warmupS * 1000);
        const cdp = await context.newCDPSession(page);
        await cdp.send('Performance.enable', { timeDomain: 'timeTicks' });
        const once = await measureOnce(page, cdp, durationS);
        // The mode must be what it says: every chart in the worker, or none.
        const want = mode.name === 'offscreen' ? once.probes.charts : 0;
        if (once.probes.offscreenCharts !== want)
          throw new Error(
            `${mode.name}: ${once.probes.offscreenCharts} of ${once.probes.charts} charts drawn in the worker, expected ${want}`,
          );
        if (flags.screenshot)
          await page.screenshot({
            path: flags.screenshot.replace(/(\.png)?$/, `-${mode.name}.png`),
          });
        return once;
      } finally {
        await context.close();
      }
    };
    /** A profiled window (not measured: the profiler costs time itself). */
    const profileMode = async (mode) => {
      const context = await browser.newContext({ viewport: { width: 1920, height: 1200 } });
      try {
        const page = await context.newPage();
        await page.goto(`${server.url}${mode.query}#/markets`);
        await sleep(warmupS * 1000);
        const cdp = await context.newCDPSession(page);
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
        await cdp.send('Profiler.start');
        await sleep(durationS * 1000);
        const { profile } = await cdp.send('Profiler.stop');
        const path = `${flags.profile.replace(/\.cpuprofile$/, '')}-${mode.name}.cpuprofile`;
        writeFileSync(path, JSON.stringify(profile));
        console.log(`profile ${mode.name} → ${path}\n${topSelfTimes(profile, 15)}`);
      } finally {
        await context.close();
      }
    };
    console.log(
      `${charts} charts; each run: ${MODES.map((m) => m.name).join(' then ')}, ${warmupS} s warm-up + ${durationS} s measured; ${runs} run(s) …`,
    );
    /** @type {Record<string, object[]>} */
    const measured = Object.fromEntries(MODES.map((m) => [m.name, []]));
    let probes;
    for (let i = 0; i < runs; i++) {
      for (const mode of MODES) {
        const once = await measureMode(mode);
        probes = once.probes;
        measured[mode.name].push(once.result);
        const r = once.result;
        console.log(
          `  run ${i + 1} ${mode.name}: ${r.fps} fps, busy ${r.mainThreadBusyPct} % (cpu ${r.mainThreadCpuPct} %), long tasks ${r.longTasks}, load ${r.loadAverage.join('/')}`,
        );
      }
    }
    if (flags.profile) for (const mode of MODES) await profileMode(mode);
    const results = Object.fromEntries(MODES.map((m) => [m.name, median(measured[m.name])]));
    const off = results.offscreen;
    const main = results.mainThread;
    const ratio = (a, b) => (b > 0 ? round(a / b, 2) : null);
    const result = {
      benchmark: 'operator console in headless Chromium: markets view, live line charts',
      command: `node bench/browser/run.mjs --charts ${charts} --rate ${rate} --duration ${durationS} --runs ${runs} --warmup ${warmupS}`,
      date: new Date().toISOString(),
      git: commitMeasured,
      setup: {
        charts,
        chartsOnScreen: probes.onScreen,
        offeredUpdatesPerChartPerS: rate,
        gatewayPolicy: 'price.*=20:conflate (max 20 updates/s per chart)',
        window: '1 min line charts, one price.* subscription',
        viewport: probes.viewport,
        build: 'vite production build served by vite preview',
        modes: Object.fromEntries(MODES.map((m) => [m.name, m.label])),
        note:
          'Each run measures both modes on a fresh page, one after the other, against the same ' +
          'gateway and feed. mainThreadBusyPct is wall time in main-thread tasks (CDP ' +
          'TaskDuration); mainThreadCpuPct the CPU time the thread got (ThreadTime); neither ' +
          'counts the chart worker. On a small shared machine the gap between them is time the ' +
          'thread waited for a core; loadAverage is given per run.',
      },
      // The median of the runs per mode; each run follows.
      results,
      // Offscreen over main thread, medians (below 1: the worker left the main thread less busy).
      ratios: {
        mainThreadBusy: ratio(off.mainThreadBusyPct, main.mainThreadBusyPct),
        mainThreadCpu: ratio(off.mainThreadCpuPct, main.mainThreadCpuPct),
        fps: ratio(off.fps, main.fps),
      },
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
    result.pass = off.fps >= TARGET.fps && off.mainThreadBusyPct <= TARGET.busyPct;
    mkdirSync(dirname(flags.out), { recursive: true });
    writeFileSync(flags.out, `${JSON.stringify(result, null, 2)}\n`);
    const md = flags.out.replace(/\.json$/, '.md');
    writeFileSync(md, writeBrowserSummary(result));
    for (const mode of MODES) {
      const r = results[mode.name];
      console.log(
        `median ${mode.name}: fps ${r.fps} (frame p95 ${r.frameP95Ms} ms) · main thread busy ${r.mainThreadBusyPct} % ` +
          `(cpu ${r.mainThreadCpuPct} %, script ${r.scriptPct} %) · long tasks ${r.longTasks} · ${r.chartUpdatesDrawnPerChartPerS} updates/s drawn per chart`,
      );
    }
    console.log(
      `offscreen / main thread: busy ×${result.ratios.mainThreadBusy}, cpu ×${result.ratios.mainThreadCpu}, fps ×${result.ratios.fps} · ` +
        `${result.setup.chartsOnScreen}/${charts} charts on screen → ${relative(process.cwd(), flags.out)} ` +
        `[offscreen ${result.pass ? 'meets' : 'misses'} ≥ ${TARGET.fps} fps, ≤ ${TARGET.busyPct} % busy]`,
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
