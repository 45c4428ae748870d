// 3. firehose: one price topic updating far faster than anyone can watch, many subscribers asking
// for 20 updates/s. Pulse conflates (each subscriber gets ~20/s and ends on the latest value) and
// its cost should follow what it sends, not what arrives: it is run at 20,000 and 2,000 updates/s.
// The baseline forwards everything; the run shows what that does.
import { deal, HIGH_PUBLISH_LIMITS, incidents, target, timing, windowMetrics } from './common.mjs';

const TOPIC = 'price.FIRE';

export default {
  name: 'firehose',
  title: 'Firehose: one topic at 20,000 updates/s, subscribers at 20/s',
  targets:
    'each subscriber gets ~20/s and ends on the latest value; Pulse CPU at 20,000/s ≤ 3× its CPU at 2,000/s; baseline: report what it does',

  params: (quick) => ({
    subscribers: quick ? 250 : 500,
    rate: 20_000,
    lowRate: 2_000,
    maxRate: 20,
    baselineRates: quick ? [20_000] : [20_000, 2_000],
    loadgens: 2,
    ...timing(quick),
    flushMaxMs: quick ? 1000 : 5000,
  }),

  cases(p) {
    const mk = (server, rate) => ({
      id: `${server}-${rate}`,
      server,
      label: `${p.subscribers} subs (maxRate ${p.maxRate}) @ ${rate.toLocaleString('en-US')}/s`,
      offered: {
        publishesPerSec: rate,
        deliveriesPerSec: p.subscribers * (server === 'pulse' ? Math.min(rate, p.maxRate) : rate),
      },
      plan: {
        server,
        env: {
          TOPIC_POLICIES: `price.*=${p.maxRate}:conflate;device.*.*=5:aggregate`,
          PUBLISH_LIMITS: HIGH_PUBLISH_LIMITS,
        },
        warmupMs: p.warmupMs,
        windows: [{ name: 'measure', ms: p.measureMs }],
        flush: { quietMs: 300, maxWaitMs: p.flushMaxMs },
        loadgens: async (ctx) => {
          const base = await target(ctx);
          const subs = Array.from({ length: p.subscribers }, () => ({
            topics: [TOPIC],
            maxRate: p.maxRate,
          }));
          const feed = {
            token: await ctx.token('feed', 'bench-feed'),
            topics: [TOPIC],
            kind: 'price',
            mode: 'paced',
            rate,
            ackLast: true,
          };
          return deal(subs, p.loadgens).map((s, i) => ({
            ...base,
            reportLastSeqs: true,
            subscribers: s,
            publishers: i === 0 ? [feed] : [],
          }));
        },
      },
    });
    return [
      mk('pulse', p.rate),
      mk('pulse', p.lowRate),
      ...p.baselineRates.map((r) => mk('baseline', r)),
    ];
  },

  derive(raw, c) {
    const m = windowMetrics(raw, 'measure');
    const finalSeq = raw.report.publishers[0]?.lastAcked?.[TOPIC] ?? null;
    const lastSeqs = raw.report.lastSeqs.map((s) => s[TOPIC] ?? 0);
    const perSubRate = m.perSubscriber;
    return {
      ...m,
      perSubscriberPerSec: {
        min: perSubRate.min / m.seconds,
        p50: perSubRate.p50 / m.seconds,
        max: perSubRate.max / m.seconds,
      },
      publisher: raw.report.publishers[0] ?? null,
      finalSeq,
      endedOnLatest: finalSeq === null ? null : lastSeqs.filter((s) => s === finalSeq).length,
      subscribersChecked: lastSeqs.length,
      keptUp: m.deliveriesPerSec >= 0.95 * c.offered.deliveriesPerSec,
      flushMs: raw.report.quietAfterMs,
      serverRssGrowthMb: Math.round((raw.rss.peakKb - raw.rss.afterSetupKb) / 102.4) / 10,
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
      note: r.median
        ? `${r.median.perSubscriberPerSec.p50.toFixed(1)}/s per sub; ${r.median.endedOnLatest === null ? 'final ack not received' : `ended on latest ${r.median.endedOnLatest}/${r.median.subscribersChecked}`}` +
          (r.case.server === 'baseline'
            ? `; ${r.median.keptUp ? 'kept up' : 'fell behind'}, RSS +${r.median.serverRssGrowthMb} MB` +
              (r.median.publisher?.skipped
                ? `; publisher blocked for ${Math.round((100 * r.median.publisher.skipped) / r.median.publisher.scheduled)} % of its updates`
                : '')
            : '')
        : undefined,
    })),

  checks(results, p) {
    const hi = results[`pulse-${p.rate}`]?.median;
    const lo = results[`pulse-${p.lowRate}`]?.median;
    if (!hi) return [];
    const ratio = lo ? hi.serverCpuPct / lo.serverCpuPct : null;
    return [
      {
        target: `each subscriber ~${p.maxRate}/s (median within ±20 %)`,
        measured: `${hi.perSubscriberPerSec.min.toFixed(1)} / ${hi.perSubscriberPerSec.p50.toFixed(1)} / ${hi.perSubscriberPerSec.max.toFixed(1)} per s (min/median/max)`,
        met: Math.abs(hi.perSubscriberPerSec.p50 - p.maxRate) <= 0.2 * p.maxRate,
      },
      {
        target: 'every subscriber ends on the latest value',
        measured: `${hi.endedOnLatest ?? '?'} of ${hi.subscribersChecked} ended on seq ${hi.finalSeq}`,
        met: hi.endedOnLatest === hi.subscribersChecked && hi.subscribersChecked > 0,
      },
      {
        target: `Pulse CPU at ${p.rate}/s ≤ 3× CPU at ${p.lowRate}/s`,
        measured: lo
          ? `${hi.serverCpuPct} % vs ${lo.serverCpuPct} % (×${ratio.toFixed(2)})`
          : 'low-rate run missing',
        met: ratio === null ? null : ratio <= 3,
      },
    ];
  },
};
