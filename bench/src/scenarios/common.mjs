// Shared by the scenarios: spreading clients over load generators, the gateway settings a
// benchmark needs, and turning one measured window into the figures the tables show.
import { SUBPROTOCOL } from '@pulse/protocol';
import { round, spread } from '../orchestrate/stats.mjs';

/** Above this share of one core a load generator is probably what limits the run. */
export const LOADGEN_BUSY_PCT = 85;
/** Above this share of the whole machine every process competes for CPU. */
export const MACHINE_BUSY_PCT = 95;

/** Publish limits far above any offered rate, so the bucket is on but never the bound. */
export const HIGH_PUBLISH_LIMITS =
  'device=10000000/10000000,feed=10000000/10000000,admin=10000000/10000000';

/** Warm-up and measurement window lengths: quick mode is a smoke check, full mode the record. */
export const timing = (quick) => ({
  warmupMs: quick ? 500 : 2000,
  measureMs: quick ? 1000 : 10_000,
});

/** Deals `items` round-robin into `n` lists. */
export function deal(items, n) {
  const out = Array.from({ length: n }, () => []);
  items.forEach((x, i) => out[i % n].push(x));
  return out;
}

/** The part of a load-generator config that depends on the server under test (and which instance). */
export async function target({ server, servers, token }, instance = 0) {
  return {
    url: (servers?.[instance] ?? server).url,
    subprotocol: SUBPROTOCOL.json,
    subscriberToken: await token('operator', 'bench-operator'),
    history: server.kind === 'pulse' ? 0 : undefined,
  };
}

/** Figures of one measured window (rates per second, CPU, memory, latency, who was busy). */
export function windowMetrics(raw, name) {
  const w = raw.windows.find((x) => x.name === name);
  if (!w) throw new Error(`no window ${name}`);
  const s = w.ms / 1000;
  const loadgenMax = Math.max(0, ...w.loadgenCpuPct.filter(Number.isFinite));
  return {
    seconds: round(s, 2),
    publishesPerSec: round(w.publishes / s, 0),
    deliveriesPerSec: round(w.deliveries / s, 0),
    framesPerSec: round(w.frames / s, 0),
    acksPerSec: round(w.acks / s, 0),
    serverCpuPct: round((100 * w.serverCpuMs) / w.ms, 1),
    cpuUsPerDelivery: w.deliveries ? round((w.serverCpuMs * 1000) / w.deliveries, 2) : null,
    latencyMs: w.latency,
    ackLatencyMs: w.ackLatency,
    // Scaled runs: each instance and Redis on its own (serverCpuPct is their sum).
    serverCpuPctByProcess: Object.fromEntries(
      Object.entries(w.serverCpuMsByProcess ?? {}).map(([k, ms]) => [
        k,
        round((100 * ms) / w.ms, 1),
      ]),
    ),
    perSubscriber: spread(w.perSubscriber),
    serverRssMb: {
      start: mb(w.serverRssKb.start),
      end: mb(w.serverRssKb.end),
      peak: mb(w.serverRssKb.peak),
    },
    loadgenCpuPct: w.loadgenCpuPct.map((x) => round(x, 0)),
    loadgenCpuUsPerDelivery: w.deliveries
      ? round((w.loadgenCpuPct.reduce((a, b) => a + b, 0) * w.ms * 10) / w.deliveries, 2)
      : null,
    machineBusyPct: round(w.machineBusyPct, 0),
    otherCpuPct: round(Math.max(0, w.otherCpuPct), 0),
    loadgenSaturated: loadgenMax >= LOADGEN_BUSY_PCT,
    machineSaturated: w.machineBusyPct >= MACHINE_BUSY_PCT,
  };
}

/** Errors, notices and close codes seen by the clients, plus setup trouble: the "what went wrong" column. */
export function incidents(raw) {
  const t = raw.report.totals;
  return {
    setupErrors: raw.setup.errorCount,
    subscriptionsRefused: raw.setup.subscriptionsRefused,
    errors: t.errors,
    notices: t.notices,
    closes: t.closes,
    outOfOrder: t.outOfOrder,
  };
}

export const mb = (kb) => round(kb / 1024, 1);

/**
 * One device topic per publisher (`device.<prefix>-<i>.temp`), each paced at `rate`/s, and
 * `subscribers` subscriptions dealt round-robin over those topics (one topic each).
 */
export async function onePublisherPerTopic(ctx, { topics, subscribers, rate, prefix }) {
  const names = Array.from({ length: topics }, (_, i) => `device.${prefix}-${i}.temp`);
  const subs = Array.from({ length: subscribers }, (_, i) => ({
    topics: [names[i % names.length]],
  }));
  const pubs = await Promise.all(
    names.map(async (topic, i) => ({
      token: await ctx.token('device', `${prefix}-${i}`),
      topics: [topic],
      kind: 'device',
      mode: 'paced',
      rate,
    })),
  );
  return { subs, pubs };
}
