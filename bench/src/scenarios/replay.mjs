// 9. replay under load (issue 11): a fleet publishes like the simulator, its topics' history is
// full, watchers follow it live; then many operators open the console's Fleet view at once.
// Each operator subscribes to what the console subscribes to there (apps/dashboard/src:
// session.ts holds presence.* and alarm.*.<metric> with history 50; state/feed-plan.ts adds
// device.*.<metric> at maxRate 1 with history 120) and checks every device replay: 120 gapless
// seqs per topic. Measured: time from connect until an operator's replays are all complete,
// replays cut short, the gateway's RSS and CPU, and the watchers' live p99 before and during.
// The raw-ws baseline keeps no history and matches no patterns: Pulse is compared with itself.
import { fmt, round } from '../orchestrate/stats.mjs';
import { HIGH_PUBLISH_LIMITS, incidents, mb, target, windowMetrics } from './common.mjs';

/** The console's fleet metrics and Fleet-view subscriptions (apps/dashboard/src, see above). */
const METRICS = ['temperature', 'humidity', 'vibration', 'battery'];
const FLEET_RATE = 1;
const FLEET_HISTORY = 120;
const ALARM_HISTORY = 50;
/** The gateway's default HISTORY_SIZE: a long-running fleet has this much per topic. */
const HISTORY_SIZE = 1000;

export default {
  name: 'replay',
  title: 'Replay under load: operators open the Fleet view at once beside live watchers',
  targets:
    'every replay an operator asked for arrives complete (issue 11); report the time until an operator’s replays are complete, gateway RSS and CPU, and the watchers’ live p99 before and during',

  params: (quick) => ({
    // The fleet of issue 11 (12 devices: 48 topics, 5,760 replayed messages per operator). 50
    // devices (24,000 per operator, 4.8 M in all) kept this shared 2-core machine busy for
    // half a minute and is a different question: raise it on a quiet machine.
    devices: 12,
    ratePerTopic: 2,
    // Quick mode fills just past what the view asks for; full mode the whole default history.
    prefill: quick ? FLEET_HISTORY + 30 : HISTORY_SIZE,
    watchers: quick ? 10 : 50,
    operators: quick ? 40 : 200,
    /** Every n-th operator stops reading for `slowFirstMs` after subscribing (a busy tab, issue 11). */
    slowEvery: 4,
    slowFirstMs: 300,
    operatorLoadgens: 2,
    warmupMs: quick ? 2500 : 5000,
    beforeMs: quick ? 1000 : 5000,
    stormMs: quick ? 4000 : 8000,
    /** After publishing stops, how long operators may still take to complete their replays. */
    replayGraceMs: quick ? 5000 : 15_000,
  }),

  cases(p) {
    const topics = p.devices * METRICS.length;
    return [
      {
        id: 'pulse',
        server: 'pulse',
        label:
          `${p.devices} devices × ${METRICS.length} metrics @ ${p.ratePerTopic}/s, ${p.watchers} watchers; ` +
          `${p.operators} operators open the Fleet view (history ${FLEET_HISTORY} × ${topics} topics, every ${p.slowEvery}th reads after ${p.slowFirstMs} ms)`,
        offered: {
          publishesPerSec: topics * p.ratePerTopic,
          // To the watchers (each follows one metric of every device); operators are counted apart.
          deliveriesPerSec: p.watchers * p.devices * p.ratePerTopic,
        },
        plan: {
          server: 'pulse',
          // Default topic policies, history and slow-consumer limits: what `npm start` runs.
          env: { PUBLISH_LIMITS: HIGH_PUBLISH_LIMITS },
          warmupMs: p.warmupMs,
          windows: [
            { name: 'before', ms: p.beforeMs },
            { name: 'storm', ms: p.stormMs },
          ],
          stormWindow: 'storm',
          flush: { quietMs: 300, maxWaitMs: p.replayGraceMs },
          loadgens: (ctx) => loadgens(ctx, p),
        },
      },
    ];
  },

  derive(raw, _c, p) {
    const before = windowMetrics(raw, 'before');
    const storm = windowMetrics(raw, 'storm');
    const ops = raw.report.operators;
    const times = ops.map((o) => o.completeMs).filter((x) => x !== null);
    const slowTimes = ops.filter((o) => o.slow && o.completeMs !== null).map((o) => o.completeMs);
    const sum = (f) => ops.reduce((n, o) => n + f(o), 0);
    const prefillDone = raw.report.publishers.map((x) => x.prefillDoneAt);
    const beforeStart = raw.windows.find((w) => w.name === 'before').start;
    const stormWin = raw.windows.find((w) => w.name === 'storm');
    return {
      ...storm,
      before,
      operators: ops.length,
      completeMs: { ...percentiles(times), slowP50: percentiles(slowTimes).p50 },
      subscribedMsP50: percentiles(ops.map((o) => o.subscribedMs).filter((x) => x !== null)).p50,
      connectMsP50: percentiles(ops.map((o) => o.connectMs).filter((x) => x !== null)).p50,
      // Replays past the storm window: the window's figures then miss part of the storm.
      completedAfterStormMs: times.length ? Math.max(...times) - stormWin.ms : null,
      incompleteOperators: ops.length - times.length,
      replays: sum((o) => o.topics),
      incompleteReplays: sum((o) => o.missing + o.short + o.notFull),
      missingReplays: sum((o) => o.missing),
      shortReplays: sum((o) => o.short),
      notFullReplays: sum((o) => o.notFull),
      shortestRun: ops.some((o) => o.shortestRun !== null)
        ? Math.min(...ops.map((o) => o.shortestRun ?? Infinity))
        : null,
      replayMessagesPerOperator: round(sum((o) => o.messages) / Math.max(1, ops.length), 0),
      operatorOutOfOrder: sum((o) => o.outOfOrder),
      operatorErrors: mergeCounts(ops.map((o) => o.errors)),
      operatorCloses: mergeCounts(ops.map((o) => (o.closeCode ? { [o.closeCode]: 1 } : {}))),
      operatorConnectErrors: ops.filter((o) => o.error).length,
      prefillDoneBeforeMeasuring: prefillDone.every((t) => t != null && t < beforeStart),
      rssBeforeMb: before.serverRssMb.peak,
      rssPeakMb: storm.serverRssMb.peak,
      rssGrowthMb: mb(stormWin.serverRssKb.peak - raw.windows[0].serverRssKb.peak),
      p99Ratio: before.latencyMs?.p99 ? storm.latencyMs?.p99 / before.latencyMs.p99 : null,
      slowConsumerCloses: raw.metrics?.pulse_slow_consumer_closes_total ?? null,
      incidents: incidents(raw),
      params: { history: FLEET_HISTORY, topics: p.devices * METRICS.length },
    };
  },

  rows: (results) =>
    Object.values(results).flatMap((r) => {
      const m = r.median;
      const base = {
        id: r.case.id,
        server: r.case.server,
        offered: r.case.offered.deliveriesPerSec,
      };
      if (!m) return [{ ...base, case: r.case.label }];
      const t = m.completeMs;
      return [
        { ...base, case: `before: ${r.case.label.split(';')[0]}`, m: m.before },
        {
          ...base,
          case: `storm: ${r.case.label.split('; ')[1]}`,
          m,
          note:
            `replays complete after ${fmt(t.p50)} / ${fmt(t.p99)} / ${fmt(t.max)} ms (p50/p99/max from connect` +
            (m.incompleteOperators ? ` of the ${fmt(t.n)} that completed` : '') +
            `; slow readers p50 ${fmt(t.slowP50)} ms); ` +
            `${fmt(m.incompleteReplays)} of ${fmt(m.replays)} replays incomplete (${fmt(m.incompleteOperators)} operators); ` +
            `RSS ${fmt(m.rssBeforeMb)} → peak ${fmt(m.rssPeakMb)} MB (+${fmt(m.rssGrowthMb)}); watchers' p99 ×${m.p99Ratio?.toFixed(2)}` +
            (m.completedAfterStormMs > 0
              ? `; last replay completed ${fmt(m.completedAfterStormMs)} ms after the window`
              : '') +
            (m.prefillDoneBeforeMeasuring
              ? ''
              : '; history prefill still running when measuring began') +
            (Object.keys(m.operatorCloses).length
              ? `; operators closed: ${Object.entries(m.operatorCloses)
                  .map(([k, n]) => `${k}×${n}`)
                  .join(' ')}`
              : ''),
        },
      ];
    }),

  checks(results) {
    const m = results.pulse?.median;
    if (!m) return [];
    const t = m.completeMs;
    return [
      {
        target: 'every replay complete: 120 gapless messages per topic and pattern, none cut',
        measured: `${fmt(m.incompleteReplays)} of ${fmt(m.replays)} incomplete (missing ${fmt(m.missingReplays)}, cut short ${fmt(m.shortReplays)}${m.shortestRun === null ? '' : `, the shortest to ${fmt(m.shortestRun)} messages`}); ${fmt(m.operators - m.incompleteOperators)} of ${fmt(m.operators)} operators complete`,
        met: m.incompleteReplays === 0 && m.incompleteOperators === 0,
      },
      {
        target:
          'time from connect until all of an operator’s replays are complete (p50 / p99 / max)',
        measured:
          `${fmt(t.p50)} / ${fmt(t.p99)} / ${fmt(t.max)} ms (${fmt(m.replayMessagesPerOperator)} messages per operator)` +
          (m.incompleteOperators ? `, over the ${fmt(t.n)} operators that completed` : ''),
        met: null,
      },
      {
        target: 'gateway RSS during the storm (peak, growth over the peak before)',
        measured: `${fmt(m.rssPeakMb)} MB, +${fmt(m.rssGrowthMb)} MB; server CPU ${fmt(m.before.serverCpuPct)} % before, ${fmt(m.serverCpuPct)} % during`,
        met: null,
      },
      {
        target: 'watchers’ live p99 during the storm vs before it',
        measured: `${fmt(m.latencyMs?.p99)} vs ${fmt(m.before.latencyMs?.p99)} ms (×${m.p99Ratio?.toFixed(2)}; p50 ${fmt(m.latencyMs?.p50)} vs ${fmt(m.before.latencyMs?.p50)} ms)`,
        met: null,
      },
    ];
  },

  findings: () => [
    'replay: Pulse only; the raw-ws baseline keeps no history and matches no topic patterns, so it has no replay to compare. The watchers’ p99 before the storm is the reference.',
  ],
};

/** Publishers and watchers in one load generator, the operators spread over the others. */
async function loadgens(ctx, p) {
  const devices = Array.from({ length: p.devices }, (_, d) => `fleet-${d}`);
  const deviceTopics = devices.flatMap((dev) => METRICS.map((m) => `device.${dev}.${m}`));
  const pubs = await Promise.all(
    devices.map(async (dev) => ({
      token: await ctx.token('device', dev),
      topics: METRICS.map((m) => `device.${dev}.${m}`),
      kind: 'device',
      mode: 'paced',
      rate: p.ratePerTopic * METRICS.length,
      prefill: p.prefill,
    })),
  );
  const watchers = Array.from({ length: p.watchers }, (_, i) => ({
    topics: [`device.*.${METRICS[i % METRICS.length]}`],
  }));
  const subscriptions = [
    { topic: 'presence.*' },
    ...METRICS.map((m) => ({ topic: `alarm.*.${m}`, history: ALARM_HISTORY })),
    ...METRICS.map((m) => ({
      topic: `device.*.${m}`,
      history: FLEET_HISTORY,
      maxRate: FLEET_RATE,
    })),
  ];
  const operators = Array.from({ length: p.operators }, (_, i) => ({
    subscriptions,
    expectTopics: deviceTopics,
    history: FLEET_HISTORY,
    slowFirstMs: i % p.slowEvery === p.slowEvery - 1 ? p.slowFirstMs : 0,
  }));
  const base = await target(ctx);
  return [
    { ...base, subscribers: watchers, publishers: pubs },
    ...Array.from({ length: p.operatorLoadgens }, (_, i) => ({
      ...base,
      subscribers: [],
      publishers: [],
      operators: operators.filter((_, j) => j % p.operatorLoadgens === i),
    })),
  ];
}

/** p50 / p99 / max of a list of times (null when empty). */
function percentiles(xs) {
  const v = [...xs].sort((a, b) => a - b);
  const at = (q) => (v.length ? v[Math.min(v.length - 1, Math.ceil(q * v.length) - 1)] : null);
  return { n: v.length, p50: at(0.5), p99: at(0.99), max: v.length ? v[v.length - 1] : null };
}

function mergeCounts(list) {
  const out = {};
  for (const o of list) for (const [k, n] of Object.entries(o)) out[k] = (out[k] ?? 0) + n;
  return out;
}
