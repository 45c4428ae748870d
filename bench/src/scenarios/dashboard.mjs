// 2. dashboard fan-out: every subscriber watches many topics that each update a few times a
// second (a trading or fleet screen). Per connection that is many small updates: Pulse batches
// them into frames, the baseline sends one frame per update. The baseline is also ramped to find
// the highest load it sustains.
import { fmt } from '../orchestrate/stats.mjs';
import { deal, HIGH_PUBLISH_LIMITS, incidents, target, timing, windowMetrics } from './common.mjs';

/** A ramp step counts as sustained when this share of the offered deliveries arrived and p99 held. */
const SUSTAIN_SHARE = 0.95;
const SUSTAIN_P99_MS = 25;

export default {
  name: 'dashboard',
  title: 'Dashboard fan-out: each subscriber watches many topics',
  targets:
    'Pulse CPU per delivered update ≤ ¼ of the baseline’s; Pulse p99 ≤ 25 ms; baseline at the same load and at the highest load it sustains',

  params: (quick) => ({
    subscribers: quick ? 100 : 200,
    devices: 10,
    metricsPerDevice: 10,
    ratePerTopic: 10,
    rampRates: quick ? [] : [1, 2.5, 5, 15],
    loadgens: 2,
    ...timing(quick),
  }),

  cases(p) {
    const topicCount = p.devices * p.metricsPerDevice;
    const mk = (server, rate, id, repeats) => ({
      id,
      server,
      repeats,
      label: `${p.subscribers} subs × ${topicCount} topics @ ${rate}/s`,
      rate,
      offered: {
        publishesPerSec: topicCount * rate,
        deliveriesPerSec: p.subscribers * topicCount * rate,
      },
      plan: {
        server,
        env: {
          TOPIC_POLICIES: 'device.*.*=1000:conflate;price.*=1000:conflate',
          PUBLISH_LIMITS: HIGH_PUBLISH_LIMITS,
        },
        warmupMs: p.warmupMs,
        windows: [{ name: 'measure', ms: p.measureMs }],
        loadgens: async (ctx) => {
          const devices = Array.from({ length: p.devices }, (_, d) => `dash-${d}`);
          const topicsOf = (dev) =>
            Array.from({ length: p.metricsPerDevice }, (_, m) => `device.${dev}.m${m}`);
          const all = devices.flatMap(topicsOf);
          const subs = Array.from({ length: p.subscribers }, () => ({ topics: all }));
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
    });
    return [
      mk('pulse', p.ratePerTopic, 'pulse'),
      mk('baseline', p.ratePerTopic, 'baseline'),
      // Ramp steps are exploratory: one run each.
      ...p.rampRates.map((r) => mk('baseline', r, `baseline-ramp-${r}`, 1)),
    ];
  },

  derive: (raw) => ({ ...windowMetrics(raw, 'measure'), incidents: incidents(raw) }),

  rows: (results) =>
    Object.values(results).map((r) => ({
      id: r.case.id,
      server: r.case.server,
      case: r.case.label + (r.case.id.includes('ramp') ? ' (ramp)' : ''),
      offered: r.case.offered.deliveriesPerSec,
      m: r.median,
      note:
        r.case.server === 'baseline' && r.median
          ? sustained(r)
            ? 'sustained'
            : 'not sustained'
          : undefined,
    })),

  checks(results) {
    const pulse = results.pulse?.median;
    const base = results.baseline?.median;
    if (!pulse) return [];
    const best = highestSustained(results);
    return [
      {
        target: 'CPU µs per delivery: Pulse ≤ ¼ baseline',
        measured: `${fmt(pulse.cpuUsPerDelivery)} vs ${fmt(base?.cpuUsPerDelivery)} µs (ratio ${base ? (pulse.cpuUsPerDelivery / base.cpuUsPerDelivery).toFixed(2) : '—'})`,
        met: base ? pulse.cpuUsPerDelivery <= base.cpuUsPerDelivery / 4 : null,
      },
      {
        target: 'Pulse p99 ≤ 25 ms',
        measured: `${fmt(pulse.latencyMs?.p99)} ms`,
        met: pulse.latencyMs?.p99 != null && pulse.latencyMs.p99 <= 25,
      },
      {
        target: `baseline: highest sustained load (≥ ${SUSTAIN_SHARE * 100} % delivered, p99 ≤ ${SUSTAIN_P99_MS} ms)`,
        measured: best
          ? `${best.case.offered.deliveriesPerSec.toLocaleString('en-US')} deliveries/s offered`
          : `none of the ${Object.values(results).filter((r) => r.case.server === 'baseline').length} load(s) measured`,
        met: null,
      },
    ];
  },

  findings(results) {
    const best = highestSustained(results);
    const out = [];
    if (best?.median?.loadgenSaturated)
      out.push(
        'the highest sustained baseline step had a saturated load generator: the baseline may sustain more',
      );
    return out;
  },
};

function sustained(r) {
  const m = r.median;
  return (
    m.deliveriesPerSec >= SUSTAIN_SHARE * r.case.offered.deliveriesPerSec &&
    m.latencyMs?.p99 != null &&
    m.latencyMs.p99 <= SUSTAIN_P99_MS
  );
}

function highestSustained(results) {
  return Object.values(results)
    .filter((r) => r.case.server === 'baseline' && r.median && sustained(r))
    .sort((a, b) => b.case.offered.deliveriesPerSec - a.case.offered.deliveriesPerSec)[0];
}
