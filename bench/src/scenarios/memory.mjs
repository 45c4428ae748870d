// 10. memory: the gateway's resident memory against the baseline's, fresh and under the loads
// an operator sees every day: 1k and 10k connected subscribers that only answer heartbeats, and
// 1k subscribers over 100 devices publishing (four metrics each, every subscriber watching one
// device). Measured: RSS fresh (before any client), at the end of the hold, and its peak.
// Tracked like CPU: a ratio against the baseline in the same run, medians of the repeats.
import { fmt } from '../orchestrate/stats.mjs';
import { deal, HIGH_PUBLISH_LIMITS, incidents, mb, target, windowMetrics } from './common.mjs';

/** The goal: gateway RSS ≤ 1.5 × the baseline's under the same load, idle included. */
const RSS_RATIO_GOAL = 1.5;
const METRICS = ['temp', 'humidity', 'pressure', 'battery'];

export default {
  name: 'memory',
  title: 'Memory: resident set fresh, with 1k and 10k idle subscribers, and with device traffic',
  targets: `gateway RSS ≤ ${RSS_RATIO_GOAL} × the baseline's under each load`,

  params: (quick) => ({
    loads: [
      { id: 'idle-1k', connections: 1000, devices: 0 },
      { id: 'idle-10k', connections: quick ? 2000 : 10_000, devices: 0 },
      { id: 'traffic-1k', connections: 1000, devices: 100, ratePerMetric: 1 },
    ],
    loadgens: 2,
    heartbeatMs: quick ? 500 : 5000,
    holdMs: quick ? 1600 : 10_000,
  }),

  cases(p) {
    return p.loads.flatMap((load) =>
      ['pulse', 'baseline'].map((server) => ({
        id: `${server}-${load.id}`,
        server,
        load: load.id,
        label: load.devices
          ? `${load.connections.toLocaleString('en-US')} subscribers, ${load.devices} devices × ${METRICS.length} metrics @ ${load.ratePerMetric}/s`
          : `${load.connections.toLocaleString('en-US')} idle subscribers`,
        offered: {
          publishesPerSec: load.devices * METRICS.length * (load.ratePerMetric ?? 0),
          deliveriesPerSec: load.devices
            ? load.connections * METRICS.length * load.ratePerMetric
            : 0,
        },
        plan: {
          server,
          env: { HEARTBEAT_MS: String(p.heartbeatMs), PUBLISH_LIMITS: HIGH_PUBLISH_LIMITS },
          warmupMs: load.devices ? 1000 : 0,
          windows: [{ name: 'hold', ms: p.holdMs }],
          preSetupMs: 500,
          settleMs: 500,
          setupTimeoutMs: 120_000,
          flush: { quietMs: load.devices ? 300 : 0, maxWaitMs: load.devices ? 3000 : 0 },
          loadgens: async (ctx) => {
            const base = await target(ctx);
            const devices = Array.from({ length: load.devices }, (_, d) => `mem-${d}`);
            const topicsOf = (dev) => METRICS.map((m) => `device.${dev}.${m}`);
            const subs = Array.from({ length: load.connections }, (_, i) => ({
              topics: load.devices
                ? topicsOf(devices[i % load.devices])
                : [`device.idle-${i % 100}.temp`],
            }));
            const pubs = await Promise.all(
              devices.map(async (dev) => ({
                token: await ctx.token('device', dev),
                topics: topicsOf(dev),
                kind: 'device',
                mode: 'paced',
                rate: load.ratePerMetric * METRICS.length,
              })),
            );
            const pubParts = deal(pubs, p.loadgens);
            return deal(subs, p.loadgens).map((s, i) => ({
              ...base,
              subscribers: s,
              publishers: pubParts[i],
              connectConcurrency: 100,
            }));
          },
        },
      })),
    );
  },

  derive(raw) {
    const w = raw.windows[0];
    return {
      ...windowMetrics(raw, 'hold'),
      connected: raw.setup.connected,
      rssFreshMb: mb(raw.rss.beforeSetupKb),
      rssEndMb: mb(w.serverRssKb.end),
      rssPeakMb: mb(w.serverRssKb.peak),
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
        ? `RSS fresh ${r.median.rssFreshMb} MB, held ${r.median.rssEndMb} MB (peak ${r.median.rssPeakMb} MB); ${r.median.connected.toLocaleString('en-US')} connected`
        : undefined,
    })),

  checks(results, p) {
    const rows = [];
    const fresh = (k) => results[`${k}-${p.loads[0].id}`]?.median?.rssFreshMb;
    if (fresh('pulse') && fresh('baseline')) {
      const ratio = fresh('pulse') / fresh('baseline');
      rows.push({
        target: `fresh (no clients): RSS ≤ ${RSS_RATIO_GOAL} × baseline`,
        measured: `${fmt(fresh('pulse'))} vs ${fmt(fresh('baseline'))} MB (×${ratio.toFixed(2)})`,
        met: ratio <= RSS_RATIO_GOAL,
      });
    }
    for (const load of p.loads) {
      const pulse = results[`pulse-${load.id}`]?.median;
      const baseline = results[`baseline-${load.id}`]?.median;
      if (!pulse || !baseline) continue;
      const ratio = pulse.rssPeakMb / baseline.rssPeakMb;
      rows.push({
        target: `${load.id}: peak RSS ≤ ${RSS_RATIO_GOAL} × baseline`,
        measured: `${fmt(pulse.rssPeakMb)} vs ${fmt(baseline.rssPeakMb)} MB (×${ratio.toFixed(2)})`,
        met: ratio <= RSS_RATIO_GOAL,
      });
    }
    return rows;
  },
};
