// One measurement: a fresh server process, load generators connected and subscribed, then
// publishing on a shared wall-clock timeline with named measurement windows after a warm-up.
// At each window's edges the server's CPU time (and the load generators') is read from /proc;
// the server's RSS is sampled every 100 ms. Everything is torn down whatever happens.
import os from 'node:os';
import { now, sleep, sleepUntil } from '../loadgen/clock.mjs';
import { machineBusyPct, machineCpu, processCpuMs, processMemoryKb } from '../proc.mjs';
import { ask, mergeReports, startLoadgens, stopLoadgens } from './loadgens.mjs';
import { startMosquitto } from './mosquitto.mjs';
import { startRedis } from './redis.mjs';
import { devToken, scrapeMetrics, startServer } from './servers.mjs';

/**
 * @typedef {object} Plan
 * @property {'pulse' | 'baseline' | 'socketio' | 'mosquitto'} server
 * @property {Record<string, string>} [env]   gateway settings for this measurement
 * @property {number} [instances]          server processes of this kind (default 1)
 * @property {boolean} [redis]             start a private redis-server and scale through it
 * @property {(ctx: {server: object, servers: object[], token: (role: string, sub: string) =>
 *   Promise<string>}) => Promise<object[]>} loadgens  one load-generator config per process
 * @property {number} warmupMs             publishing before the first window
 * @property {{name: string, ms: number}[]} windows
 * @property {string} [stallWindow]        the stalled client connects and stalls as this window starts
 * @property {string} [stormWindow]        the load generators' operators connect as this window starts
 * @property {number} [preSetupMs]         pause after start before the server's "before" memory is read
 * @property {number} [settleMs]           pause between setup and the first publish
 * @property {{quietMs?: number, maxWaitMs?: number, drainMs?: number}} [flush]
 * @property {number} [setupTimeoutMs]
 * @property {() => Promise<{env?: Record<string, string>, cleanup?: () => Promise<void>}>} [prepare]
 *   per-run resources the server needs (a fresh database, a data directory): their settings join
 *   `env`, and `cleanup` runs after the server has stopped, whatever happened
 * @property {boolean} [metricsAtEdges]  also scrape /metrics at each window's start and end
 */

/** Runs one measurement described by `plan`; resolves to raw figures (a scenario's `derive` reads them). */
export async function measure(plan) {
  const t0 = now();
  const phase = (what) =>
    process.env.BENCH_DEBUG && process.stderr.write(`    [${Math.round(now() - t0)} ms] ${what}\n`);
  // Everything the server side is made of: its instances and, scaled, their Redis. CPU is
  // summed over all of them; memory is read from the first instance.
  const prepared = plan.prepare ? await plan.prepare() : {};
  const env = { ...plan.env, ...prepared.env };
  const redis = plan.redis
    ? await startRedis().catch(async (err) => {
        await prepared.cleanup?.();
        throw err;
      })
    : undefined;
  const servers = [];
  let lgs = [];
  let sampler;
  try {
    for (let i = 0; i < (plan.instances ?? 1); i++)
      servers.push(
        plan.server === 'mosquitto'
          ? await startMosquitto()
          : await startServer(plan.server, env, { redisUrl: redis?.url }),
      );
    const server = servers[0];
    const pids = [...servers.map((s) => s.pid), ...(redis ? [redis.pid] : [])];
    const pidNames = [...servers.map((_, i) => `instance${i + 1}`), ...(redis ? ['redis'] : [])];
    phase('server up');
    let serverGone = '';
    for (const s of servers)
      s.child.once(
        'exit',
        (code, signal) => (serverGone = `server exited (${signal ?? code}) during the run`),
      );
    const tokens = new Map();
    const token = async (role, sub) => {
      const key = `${role}:${sub}`;
      if (!tokens.has(key)) tokens.set(key, await devToken(server, role, sub));
      return tokens.get(key);
    };
    const configs = await plan.loadgens({ server, servers, token });
    phase('tokens');
    await sleep(plan.preSetupMs ?? 100); // let the fresh server settle before "before" memory is read
    const rssBeforeSetup = processMemoryKb(server.pid)?.rssKb ?? 0;

    lgs = startLoadgens(configs.length);
    const setupTimeoutMs = plan.setupTimeoutMs ?? 60_000;
    const ready = await Promise.all(
      lgs.map((lg, i) =>
        ask(
          lg,
          { cmd: 'setup', config: { setupTimeoutMs, ...configs[i] } },
          'ready',
          setupTimeoutMs + 10_000,
        ),
      ),
    );
    phase('loadgens ready');
    const setupErrors = ready.flatMap((r) => r.errors);
    if (ready.some((r) => r.connected === 0 && r.subscribers + r.publishers > 0)) {
      throw new Error(
        `load generators could not connect to ${server.url}: ${setupErrors.slice(0, 3).join('; ')}\n--- server output ---\n${server.tail()}`,
      );
    }
    if (serverGone) throw new Error(`${serverGone}\n${server.tail()}`);
    await sleep(plan.settleMs ?? 100);
    const rssAfterSetup = processMemoryKb(server.pid)?.rssKb ?? 0;

    // The shared timeline.
    const publishStartAt = now() + 200;
    let t = publishStartAt + plan.warmupMs;
    const windows = plan.windows.map((w) => {
      const win = { name: w.name, start: t, end: t + w.ms };
      t += w.ms;
      return win;
    });
    const publishStopAt = t;
    const stallAt = plan.stallWindow
      ? windows.find((w) => w.name === plan.stallWindow)?.start
      : undefined;
    const stormAt = plan.stormWindow
      ? windows.find((w) => w.name === plan.stormWindow)?.start
      : undefined;
    await Promise.all(
      lgs.map((lg) =>
        ask(
          lg,
          { cmd: 'run', publishStartAt, publishStopAt, windows, stallAt, stormAt },
          'running',
          10_000,
        ),
      ),
    );

    // RSS every 100 ms, attributed to the window it falls in.
    const peaks = windows.map(() => 0);
    let runPeakKb = 0;
    sampler = setInterval(() => {
      const kb = processMemoryKb(server.pid)?.rssKb ?? 0;
      runPeakKb = Math.max(runPeakKb, kb);
      const tt = now();
      windows.forEach((w, i) => {
        if (tt >= w.start && tt < w.end) peaks[i] = Math.max(peaks[i], kb);
      });
    }, 100);

    const edges = [];
    for (const w of windows) {
      await sleepUntil(w.start);
      const startSample = sample(pids, lgs);
      const metricsStart = plan.metricsAtEdges ? await scrapeMetrics(server) : undefined;
      await sleepUntil(w.end);
      const endSample = sample(pids, lgs);
      const metricsEnd = plan.metricsAtEdges ? await scrapeMetrics(server) : undefined;
      edges.push({ w, startSample, endSample, metricsStart, metricsEnd });
      if (serverGone) throw new Error(`${serverGone}\n${server.tail()}`);
    }
    const flush = plan.flush ?? {};
    const reports = await Promise.all(
      lgs.map((lg) =>
        ask(
          lg,
          {
            cmd: 'report',
            quietMs: flush.quietMs ?? 300,
            maxWaitMs: flush.maxWaitMs ?? 3000,
            drainMs: flush.drainMs ?? 2000,
          },
          'report',
          (flush.maxWaitMs ?? 3000) + (flush.drainMs ?? 2000) + 15_000,
        ),
      ),
    );
    phase('reports in');
    clearInterval(sampler);
    const rssAfterRunKb = processMemoryKb(server.pid)?.rssKb ?? 0;
    const metrics = await scrapeMetrics(server);
    const merged = mergeReports(reports.map((r) => r.report));

    return {
      server: {
        kind: server.kind,
        pid: server.pid,
        instances: servers.length,
        redis: Boolean(redis),
        env: plan.server === 'pulse' ? (plan.env ?? {}) : {},
      },
      setup: {
        loadgens: lgs.length,
        ms: Math.max(...ready.map((r) => r.setupMs)),
        connected: ready.reduce((n, r) => n + r.connected, 0),
        subscriptionsConfirmed: ready.reduce((n, r) => n + r.subscriptionsConfirmed, 0),
        subscriptionsRefused: ready.reduce((n, r) => n + r.subscriptionsRefused, 0),
        errorCount: ready.reduce((n, r) => n + r.errorCount, 0),
        errors: [...new Set(setupErrors)].slice(0, 5),
      },
      rss: {
        beforeSetupKb: rssBeforeSetup,
        afterSetupKb: rssAfterSetup,
        afterRunKb: rssAfterRunKb,
        peakKb: runPeakKb,
      },
      windows: edges.map(({ w, startSample, endSample, metricsStart, metricsEnd }, i) => {
        const ms = endSample.t - startSample.t;
        const lw = merged.windows.find((m) => m.name === w.name);
        return {
          name: w.name,
          start: w.start,
          ms,
          serverCpuMs: endSample.serverCpuMs - startSample.serverCpuMs,
          serverCpuMsByProcess: Object.fromEntries(
            pidNames.map((n, j) => [n, endSample.byPid[j] - startSample.byPid[j]]),
          ),
          serverRssKb: {
            start: startSample.serverRssKb,
            end: endSample.serverRssKb,
            peak: Math.max(peaks[i], endSample.serverRssKb),
          },
          loadgenCpuPct: endSample.loadgenCpuMs.map(
            (c, j) => (100 * (c - startSample.loadgenCpuMs[j])) / ms,
          ),
          machineBusyPct: machineBusyPct(startSample.machine, endSample.machine),
          // CPU (in % of one core) used by processes that are not part of this measurement.
          otherCpuPct:
            machineBusyPct(startSample.machine, endSample.machine) * os.cpus().length -
            (100 * (endSample.serverCpuMs - startSample.serverCpuMs)) / ms -
            endSample.loadgenCpuMs.reduce(
              (n, c, j) => n + (100 * (c - startSample.loadgenCpuMs[j])) / ms,
              0,
            ),
          deliveries: lw?.deliveries ?? 0,
          frames: lw?.frames ?? 0,
          batchFrames: lw?.batchFrames ?? 0,
          acks: lw?.acks ?? 0,
          publishes: lw?.publishes ?? 0,
          latency: lw?.latency.summary() ?? null,
          ackLatency: lw?.ackLatency.summary() ?? null,
          perSubscriber: lw?.perSubscriber ?? [],
          ...(plan.metricsAtEdges ? { metricsStart, metricsEnd } : {}),
        };
      }),
      report: { ...merged, windows: undefined },
      metrics,
    };
  } finally {
    clearInterval(sampler);
    await stopLoadgens(lgs);
    phase('loadgens stopped');
    await Promise.all(servers.map((s) => s.stop()));
    await redis?.stop();
    await prepared.cleanup?.();
    phase('server stopped');
  }
}

function sample(serverPids, lgs) {
  const byPid = serverPids.map((pid) => processCpuMs(pid) ?? NaN);
  return {
    t: now(),
    serverCpuMs: byPid.reduce((a, b) => a + b, 0),
    byPid,
    serverRssKb: processMemoryKb(serverPids[0])?.rssKb ?? 0,
    loadgenCpuMs: lgs.map((lg) => processCpuMs(lg.pid) ?? NaN),
    machine: machineCpu(),
  };
}
