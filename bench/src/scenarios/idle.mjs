// 6. idle: many connected, subscribed clients that only answer heartbeats. Measured: the
// server's resident memory per connection, (RSS after connecting and holding − RSS before) ÷ N,
// and the CPU the heartbeats cost while nothing is published.
import { fmt } from '../orchestrate/stats.mjs';
import { deal, incidents, target, windowMetrics } from './common.mjs';

export default {
  name: 'idle',
  title: 'Idle: connected, subscribed clients with heartbeats',
  targets: '≤ 12 KB of gateway RSS per connection',

  params: (quick) => ({
    connections: quick ? 1000 : 10_000,
    topics: 100,
    loadgens: 2,
    heartbeatMs: quick ? 500 : 5000,
    holdMs: quick ? 1600 : 12_000,
  }),

  cases(p) {
    return ['pulse', 'baseline'].map((server) => ({
      id: server,
      server,
      label: `${p.connections.toLocaleString('en-US')} connections, heartbeat ${p.heartbeatMs} ms`,
      offered: { publishesPerSec: 0, deliveriesPerSec: 0 },
      plan: {
        server,
        env: { HEARTBEAT_MS: String(p.heartbeatMs) },
        warmupMs: 0,
        windows: [{ name: 'hold', ms: p.holdMs }],
        preSetupMs: 500,
        settleMs: 500,
        setupTimeoutMs: 120_000,
        flush: { quietMs: 0, maxWaitMs: 0 },
        loadgens: async (ctx) => {
          const base = await target(ctx);
          const subs = Array.from({ length: p.connections }, (_, i) => ({
            topics: [`device.idle-${i % p.topics}.temp`],
          }));
          return deal(subs, p.loadgens).map((s) => ({
            ...base,
            subscribers: s,
            publishers: [],
            connectConcurrency: 100,
          }));
        },
      },
    }));
  },

  derive(raw, _c, p) {
    const m = windowMetrics(raw, 'hold');
    const afterKb = raw.windows[0].serverRssKb.end;
    return {
      ...m,
      connected: raw.setup.connected,
      openAtEnd: raw.report.openSubscribers,
      connectMs: raw.setup.ms,
      rssBeforeMb: Math.round(raw.rss.beforeSetupKb / 102.4) / 10,
      rssAfterMb: Math.round(afterKb / 102.4) / 10,
      kbPerConnection: Math.round(((afterKb - raw.rss.beforeSetupKb) / p.connections) * 100) / 100,
      incidents: incidents(raw),
    };
  },

  rows: (results) =>
    Object.values(results).map((r) => ({
      id: r.case.id,
      server: r.case.server,
      case: r.case.label,
      offered: 0,
      m: r.median,
      note: r.median
        ? `${r.median.kbPerConnection} KB/connection (RSS ${r.median.rssBeforeMb} → ${r.median.rssAfterMb} MB); ${r.median.openAtEnd.toLocaleString('en-US')} open at the end; connect took ${(r.median.connectMs / 1000).toFixed(1)} s`
        : undefined,
    })),

  checks(results) {
    const m = results.pulse?.median;
    if (!m) return [];
    return [
      {
        target: '≤ 12 KB RSS per connection',
        measured: `${fmt(m.kbPerConnection)} KB (baseline ${fmt(results.baseline?.median?.kbPerConnection)} KB)`,
        met: m.kbPerConnection <= 12,
      },
      {
        target: 'all connections held through heartbeats',
        measured: `${m.openAtEnd} of ${m.connected}`,
        met: m.openAtEnd === m.connected && m.connected > 0,
      },
    ];
  },
};
