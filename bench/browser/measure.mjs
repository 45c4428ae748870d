// One measurement window on a live page, and the median over several windows.
import { loadavg } from 'node:os';
import { collectProbes, installProbes } from './page-probes.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const pct = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/**
 * Measures `seconds` of the page as it is: frames from requestAnimationFrame, main-thread
 * time from CDP Performance.getMetrics (TaskDuration: wall time in tasks, what "busy" means;
 * ThreadTime: the CPU time the thread actually got), long tasks and chart updates drawn.
 * @param {import('playwright-core').Page} page
 * @param {import('playwright-core').CDPSession} cdp
 * @param {number} seconds
 */
export async function measureOnce(page, cdp, seconds) {
  const metrics = async () => {
    const { metrics: list } = await cdp.send('Performance.getMetrics');
    return Object.fromEntries(list.map((m) => [m.name, m.value]));
  };
  await page.evaluate(installProbes);
  const loadBefore = loadavg()[0];
  const before = await metrics();
  await sleep(seconds * 1000);
  const after = await metrics();
  const probes = await page.evaluate(collectProbes);
  const wallS = after.Timestamp - before.Timestamp;
  const share = (name) => round(((after[name] - before[name]) / wallS) * 100);
  const frames = [...probes.frames].sort((a, b) => a - b);
  const frameSum = probes.frames.reduce((a, b) => a + b, 0);
  const updates = Object.values(probes.updates);
  return {
    probes,
    result: {
      fps: round(probes.frames.length / (frameSum / 1000)),
      frameP50Ms: round(pct(frames, 50)),
      frameP95Ms: round(pct(frames, 95)),
      frameP99Ms: round(pct(frames, 99)),
      frameMaxMs: round(frames.at(-1) ?? 0),
      framesOver20ms: probes.frames.filter((f) => f > 20).length,
      mainThreadBusyPct: share('TaskDuration'),
      mainThreadCpuPct: share('ThreadTime'),
      scriptPct: share('ScriptDuration'),
      layoutPct: share('LayoutDuration'),
      styleRecalcPct: share('RecalcStyleDuration'),
      longTasks: probes.longTasks.length,
      longTasksMs: round(probes.longTasks.reduce((a, b) => a + b, 0)),
      chartUpdatesDrawnPerChartPerS: round(
        updates.reduce((a, b) => a + b, 0) / Math.max(1, updates.length) / wallS,
      ),
      measuredSeconds: round(wallS),
      loadAverage: [round(loadBefore, 2), round(loadavg()[0], 2)],
    },
  };
}

/** The median of each numeric field over the runs (load averages are kept per run). */
export function median(runs) {
  const out = {};
  for (const key of Object.keys(runs[0] ?? {})) {
    const values = runs.map((r) => r[key]);
    if (typeof values[0] !== 'number') continue;
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    out[key] = sorted.length % 2 ? sorted[mid] : round((sorted[mid - 1] + sorted[mid]) / 2);
  }
  return out;
}
