// 1. broadcast: many subscribers on a few topics — the baseline's home ground. Pulse runs with
// throttling on but set above the offered rate, so both deliver everything.
import { fmt } from '../orchestrate/stats.mjs';
import {
  deal,
  HIGH_PUBLISH_LIMITS,
  incidents,
  onePublisherPerTopic,
  target,
  timing,
  windowMetrics,
} from './common.mjs';

export default {
  name: 'broadcast',
  title: 'Broadcast: subscribers on a few topics',
  targets: 'Pulse CPU per delivered update ≤ the baseline’s; Pulse p99 publish-to-receive ≤ 25 ms',

  params: (quick) => ({
    subscribers: quick ? 500 : 1000,
    topics: 10,
    ratePerTopic: 100,
    loadgens: 2,
    ...timing(quick),
  }),

  cases(p) {
    const offered = {
      publishesPerSec: p.topics * p.ratePerTopic,
      deliveriesPerSec: p.subscribers * p.ratePerTopic,
    };
    return ['pulse', 'baseline'].map((server) => ({
      id: server,
      server,
      label: `${p.subscribers} subs × ${p.topics} topics @ ${p.ratePerTopic}/s`,
      offered,
      plan: {
        server,
        env: {
          TOPIC_POLICIES: 'device.*.*=1000:conflate;price.*=1000:conflate',
          PUBLISH_LIMITS: HIGH_PUBLISH_LIMITS,
        },
        warmupMs: p.warmupMs,
        windows: [{ name: 'measure', ms: p.measureMs }],
        loadgens: async (ctx) => {
          const { subs, pubs } = await onePublisherPerTopic(ctx, {
            topics: p.topics,
            subscribers: p.subscribers,
            rate: p.ratePerTopic,
            prefix: 'bcast',
          });
          const base = await target(ctx);
          const subParts = deal(subs, p.loadgens);
          const pubParts = deal(pubs, p.loadgens);
          return subParts.map((s, i) => ({ ...base, subscribers: s, publishers: pubParts[i] }));
        },
      },
    }));
  },

  derive: (raw) => ({ ...windowMetrics(raw, 'measure'), incidents: incidents(raw) }),

  rows: (results) =>
    Object.values(results).map((r) => ({
      id: r.case.id,
      server: r.case.server,
      case: r.case.label,
      offered: r.case.offered.deliveriesPerSec,
      m: r.median,
    })),

  checks(results) {
    const pulse = results.pulse?.median;
    const base = results.baseline?.median;
    if (!pulse) return [];
    return [
      {
        target: 'CPU µs per delivery: Pulse ≤ baseline',
        measured: `${fmt(pulse.cpuUsPerDelivery)} vs ${fmt(base?.cpuUsPerDelivery)} µs`,
        met: base ? pulse.cpuUsPerDelivery <= base.cpuUsPerDelivery : null,
      },
      {
        target: 'Pulse p99 ≤ 25 ms',
        measured: `${fmt(pulse.latencyMs?.p99)} ms`,
        met: pulse.latencyMs?.p99 != null && pulse.latencyMs.p99 <= 25,
      },
    ];
  },
};
