// 5. ingest: publishers send as fast as the server acknowledges (many publishes in flight per
// connection). Counted: acknowledged publishes per second. Checked: a subscriber on every topic
// (in its own process) received every acknowledged sequence — nothing accepted was lost.
import { countMissing, runsSize } from '../loadgen/seq-ranges.mjs';
import { round } from '../orchestrate/stats.mjs';
import { HIGH_PUBLISH_LIMITS, incidents, target, timing, windowMetrics } from './common.mjs';

/**
 * The ingest load, shared with redis-ingest: device publishers (pipelined with `p.window` in
 * flight, or paced at `rate` publishes/s in all), every publish acknowledged, and a checker in
 * its own process subscribed to every topic.
 */
export function ingestPlan(p, { server, redis = false, rate = null, devicePrefix = 'ingest' }) {
  const processes = p.publisherProcesses ?? 1;
  return {
    server,
    redis,
    env: {
      // Throttling off for these topics and a checker that may lag without being cut off:
      // the point is the ingest path, and the check needs every sequence.
      TOPIC_POLICIES: 'device.*.*=0:conflate;price.*=0:conflate',
      PUBLISH_LIMITS: HIGH_PUBLISH_LIMITS,
      SLOW_SOFT_BYTES: String(256 * 2 ** 20),
      SLOW_HARD_BYTES: String(2 ** 30),
      SLOW_MAX_MS: '600000',
    },
    warmupMs: p.warmupMs,
    windows: [{ name: 'measure', ms: p.measureMs }],
    flush: { quietMs: 500, maxWaitMs: p.flushMaxMs },
    loadgens: async (ctx) => {
      const base = await target(ctx);
      const devices = Array.from({ length: p.publishers }, (_, i) => `${devicePrefix}-${i}`);
      const topicsOf = (dev) =>
        Array.from({ length: p.topicsPerPublisher }, (_, k) => `device.${dev}.m${k}`);
      const pubs = await Promise.all(
        devices.map(async (dev) => ({
          token: await ctx.token('device', dev),
          topics: topicsOf(dev),
          kind: 'device',
          ackEvery: p.ackEvery ?? 1,
          recordAcks: true,
          ...(rate
            ? { mode: 'paced', rate: rate / p.publishers }
            : { mode: 'pipelined', window: p.window }),
        })),
      );
      const procs = Array.from({ length: processes }, (_, i) => ({
        ...base,
        subscribers: [],
        publishers: pubs.filter((_, j) => j % processes === i),
      }));
      return [
        ...procs,
        {
          ...base,
          subscribers: [{ topics: devices.flatMap(topicsOf), checker: true }],
          publishers: [],
        },
      ];
    },
  };
}

export default {
  name: 'ingest',
  title: 'Ingest: publishers as fast as allowed',
  targets: '≥ 100,000 accepted publishes/s on the in-memory bus; none lost among the acknowledged',

  params: (quick) => ({
    publishers: 4,
    topicsPerPublisher: 10,
    window: 512,
    ackEvery: 1,
    publisherProcesses: 1,
    ...timing(quick),
    flushMaxMs: quick ? 2500 : 8000,
  }),

  cases(p) {
    return ['pulse', 'baseline'].map((server) => ({
      id: server,
      server,
      label: `${p.publishers} publishers × ${p.topicsPerPublisher} topics, ${p.window} in flight, ack ${p.ackEvery === 1 ? 'all' : `1 in ${p.ackEvery}`}`,
      offered: { publishesPerSec: null, deliveriesPerSec: null },
      plan: ingestPlan(p, { server }),
    }));
  },

  derive(raw) {
    const m = windowMetrics(raw, 'measure');
    // Every acknowledged (topic, seq) must have reached the checker.
    let acked = 0;
    let lost = 0;
    for (const pub of raw.report.publishers) {
      for (const [topic, runs] of Object.entries(pub.ackedSeqs ?? {})) {
        acked += runsSize(runs);
        lost += countMissing(runs, raw.report.checker[topic] ?? []);
      }
    }
    const sent = raw.report.publishers.reduce((n, x) => n + x.sent, 0);
    const rejected = raw.report.publishers.reduce((n, x) => n + x.rejected, 0);
    return {
      ...m,
      acceptedPerSec: m.acksPerSec,
      cpuUsPerAccepted: m.acksPerSec ? round((m.serverCpuPct * 10_000) / m.acksPerSec, 2) : null,
      sent,
      acked,
      rejected,
      lostAmongAcked: lost,
      // The checker had received everything it was going to before the report was taken.
      checkComplete: raw.report.wentQuiet,
      checkerReceived: Object.values(raw.report.checker).reduce((n, runs) => n + runsSize(runs), 0),
      incidents: incidents(raw),
    };
  },

  rows: (results) =>
    Object.values(results).map((r) => ({
      id: r.case.id,
      server: r.case.server,
      case: r.case.label,
      offered: 'max',
      m: r.median,
      note: r.median
        ? `${r.median.acceptedPerSec.toLocaleString('en-US')} acked publishes/s (${r.median.cpuUsPerAccepted} µs CPU each); lost ${r.median.lostAmongAcked} of ${r.median.acked.toLocaleString('en-US')} acked; ${r.median.rejected} rejected`
        : undefined,
    })),

  checks(results) {
    const m = results.pulse?.median;
    if (!m) return [];
    const lost = Math.max(...results.pulse.runs.map((r) => r.lostAmongAcked));
    const complete = results.pulse.runs.every((r) => r.checkComplete);
    return [
      {
        target: '≥ 100,000 accepted publishes/s',
        measured: `${m.acceptedPerSec.toLocaleString('en-US')}/s (baseline ${results.baseline?.median?.acceptedPerSec?.toLocaleString('en-US') ?? '—'}/s)`,
        met: m.acceptedPerSec >= 100_000,
      },
      {
        target: 'no acknowledged publish lost (any run)',
        measured:
          `${lost} lost of ${m.acked.toLocaleString('en-US')}` +
          (complete ? '' : ' (checker still receiving when the wait ended: inconclusive)'),
        met: complete ? lost === 0 && m.acked > 0 : null,
      },
    ];
  },
};
