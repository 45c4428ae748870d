// 11. devices: the everyday 1:1 device shape — many device topics at modest rates, each watched
// by one operator connection. At these rates a fixed cost per event-loop turn or per publish
// (timers, promise bookkeeping, log context, flush scheduling) shows more than the cost per byte.
// Compared: server CPU per publish+delivery (every publish has exactly one delivery) against
// the baseline in the same run, at 10, 30, 70 (the slow-consumer scenario's load) and 100/s per topic.
import { fmt } from '../orchestrate/stats.mjs';
import { deal, HIGH_PUBLISH_LIMITS, incidents, target, windowMetrics } from './common.mjs';

/** The goal: Pulse CPU per delivery ≤ the baseline's (ratio ≤ 1.0). */
const RATIO_GOAL = 1.0;

export default {
  name: 'devices',
  title: 'Device traffic 1:1: many topics, one subscriber each, 10–100 updates/s per topic',
  targets: `Pulse CPU µs per publish+delivery ≤ ${RATIO_GOAL} × the baseline's at every rate; everything offered delivered`,

  params: (quick) => ({
    devices: 20,
    metricsPerDevice: 10, // 200 topics, one subscriber each
    rates: quick ? [10, 70] : [10, 30, 70, 100],
    loadgens: 1,
    warmupMs: quick ? 500 : 2000,
    measureMs: quick ? 1500 : 8000,
  }),

  cases(p) {
    const topics = p.devices * p.metricsPerDevice;
    return p.rates.flatMap((rate) =>
      ['pulse', 'baseline'].map((server) => ({
        id: `${server}-${rate}`,
        server,
        rate,
        label: `${topics} topics × 1 sub @ ${rate}/s`,
        offered: { publishesPerSec: topics * rate, deliveriesPerSec: topics * rate },
        plan: {
          server,
          env: {
            TOPIC_POLICIES: 'device.*.*=1000:conflate;price.*=1000:conflate',
            PUBLISH_LIMITS: HIGH_PUBLISH_LIMITS,
          },
          warmupMs: p.warmupMs,
          windows: [{ name: 'measure', ms: p.measureMs }],
          flush: { quietMs: 300, maxWaitMs: 2000 },
          loadgens: async (ctx) => {
            const devices = Array.from({ length: p.devices }, (_, d) => `dev-${d}`);
            const topicsOf = (dev) =>
              Array.from({ length: p.metricsPerDevice }, (_, m) => `device.${dev}.m${m}`);
            const subs = devices.flatMap(topicsOf).map((t) => ({ topics: [t] }));
            const pubs = await Promise.all(
              devices.map(async (dev) => ({
                token: await ctx.token('device', dev),
                topics: topicsOf(dev),
                kind: 'device',
                mode: 'paced',
                rate: rate * p.metricsPerDevice,
              })),
            );
            const base = await target(ctx);
            const pubParts = deal(pubs, p.loadgens);
            return deal(subs, p.loadgens).map((s, i) => ({
              ...base,
              subscribers: s,
              publishers: pubParts[i],
            }));
          },
        },
      })),
    );
  },

  derive(raw) {
    const m = windowMetrics(raw, 'measure');
    // One subscriber per topic: each publish is one delivery, so cpuUsPerDelivery is the CPU
    // of one publish and its delivery together.
    // Completeness over the whole run (warm-up and drain included, so no window edge moves a
    // late delivery out of the count): every publish sent arrived, or the gateway says its
    // topic policy conflated it (two updates of a topic within 1 ms when a publisher tick ran late).
    const pubs = raw.report.publishers ?? [];
    const sent = pubs.reduce((n, x) => n + x.sent, 0);
    const delivered = raw.report.totals.deliveries;
    const conflated = raw.metrics?.pulse_conflated_total ?? 0;
    return {
      ...m,
      run: {
        sent,
        skippedBySender: pubs.reduce((n, x) => n + x.skipped, 0),
        delivered,
        conflated,
        missing: Math.max(0, sent - delivered - conflated),
      },
      incidents: incidents(raw),
    };
  },

  rows: (results) =>
    Object.values(results).map((r) => ({
      id: r.case.id,
      server: r.case.server,
      case: r.case.label,
      offered: r.case.offered.deliveriesPerSec,
      m: r.median,
    })),

  checks(results, p) {
    return p.rates.flatMap((rate) => {
      const pulse = results[`pulse-${rate}`];
      const base = results[`baseline-${rate}`];
      if (!pulse?.median) return [];
      const offered = pulse.case.offered.deliveriesPerSec;
      const ratio = base?.median
        ? pulse.median.cpuUsPerDelivery / base.median.cpuUsPerDelivery
        : null;
      // Every run, not the median: one incomplete run is a lost delivery.
      const missing = (r) => Math.max(0, ...r.runs.map((x) => x.run.missing));
      const sent = (r) => r?.median?.run.sent;
      const complete = pulse.runs.every((x) => x.run.sent > 0 && x.run.missing === 0);
      return [
        {
          target: `@ ${rate}/s per topic: CPU µs per publish+delivery, Pulse ≤ ${RATIO_GOAL} × baseline`,
          measured: `${fmt(pulse.median.cpuUsPerDelivery)} vs ${fmt(base?.median?.cpuUsPerDelivery)} µs (ratio ${ratio == null ? '—' : ratio.toFixed(2)}; CPU ${fmt(pulse.median.serverCpuPct)} vs ${fmt(base?.median?.serverCpuPct)} %; p99 ${fmt(pulse.median.latencyMs?.p99)} vs ${fmt(base?.median?.latencyMs?.p99)} ms; RSS ${fmt(pulse.median.serverRssMb?.end)} vs ${fmt(base?.median?.serverRssMb?.end)} MB)`,
          met: ratio == null ? null : ratio <= RATIO_GOAL,
        },
        {
          target: `@ ${rate}/s per topic: every publish delivered (whole run, every run)`,
          measured: `Pulse missing ${missing(pulse)} of ${fmt(sent(pulse))} sent (conflated by policy ${fmt(pulse.median.run.conflated)}; in the window ${fmt(Math.round((1000 * pulse.median.deliveriesPerSec) / offered) / 10)} % of ${fmt(offered)}/s), baseline missing ${base?.runs.length ? missing(base) : '—'} of ${fmt(sent(base))}`,
          met: complete,
        },
      ];
    });
  },
};
