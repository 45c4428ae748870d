// 8. redis-ingest: publishes into one instance that keeps them in Redis (sequence, history and
// pub/sub in one script per publish, history on). Max rate: publishers pipelined as fast as acks
// come back. Paced: a fixed rate, where the publish-to-ack time on the Redis bus minus the same
// on the in-memory bus is what Redis adds. Socket.IO 4 + `@socket.io/redis-adapter` does the same
// job as far as it can (broadcast through Redis, ack; it keeps no history). A checker subscribed
// to every topic verifies that nothing acknowledged was lost, on every server.
import { fmt, round } from '../orchestrate/stats.mjs';
import { timing } from './common.mjs';
import ingest, { ingestPlan } from './ingest.mjs';

const SERVERS = [
  { id: 'pulse-memory', server: 'pulse', redis: false },
  { id: 'pulse-redis', server: 'pulse', redis: true },
  { id: 'socketio-redis', server: 'socketio', redis: true },
];

/** Max rate, then each paced rate: `pulse-redis`, `pulse-redis@20000`, … */
const casesOf = (p) => [
  ...SERVERS.map((s) => ({ ...s, rate: null })),
  ...p.pacedRates.flatMap((rate) => SERVERS.map((s) => ({ ...s, id: `${s.id}@${rate}`, rate }))),
];

const NAMES = { pulse: 'Pulse', socketio: 'Socket.IO + redis-adapter' };

export default {
  name: 'redis-ingest',
  title: 'Ingest through Redis with history on, from one instance',
  targets:
    '≥ 40,000 acknowledged publishes/s from one instance on the Redis bus; p99 added by Redis ≤ 5 ms; none lost',

  params: (quick) => ({
    publishers: 4,
    topicsPerPublisher: 10,
    window: 512,
    // The added latency is read at a moderate and at half the target rate.
    pacedRates: quick ? [10_000] : [10_000, 20_000],
    ...timing(quick),
    flushMaxMs: quick ? 2500 : 8000,
  }),

  cases(p) {
    return casesOf(p).map((c) => {
      const bus = c.server === 'socketio' ? '' : c.redis ? ', Redis bus' : ', in-memory bus';
      const load = c.rate
        ? `paced ${c.rate.toLocaleString('en-US')}/s`
        : `as fast as acked (${p.window} in flight each)`;
      return {
        id: c.id,
        server: c.server,
        label: `${NAMES[c.server]}${bus}: ${p.publishers} publishers × ${p.topicsPerPublisher} topics, ${load}`,
        offered: { publishesPerSec: c.rate, deliveriesPerSec: null },
        plan: ingestPlan(p, {
          server: c.server,
          redis: c.redis,
          rate: c.rate,
          devicePrefix: 'ringest',
        }),
      };
    });
  },

  derive: (raw) => ingest.derive(raw),

  rows: (results) =>
    Object.values(results).map((r) => ({
      id: r.case.id,
      server: r.case.server,
      case: r.case.label,
      offered: r.case.offered.publishesPerSec ?? 'max',
      m: r.median,
      note: r.median
        ? [
            `${r.median.acceptedPerSec.toLocaleString('en-US')} acked publishes/s`,
            `ack p50 ${fmt(r.median.ackLatencyMs?.p50)} / p99 ${fmt(r.median.ackLatencyMs?.p99)} ms`,
            `lost ${r.median.lostAmongAcked} of ${r.median.acked.toLocaleString('en-US')} acked`,
            r.median.serverCpuPctByProcess?.redis != null
              ? `CPU % gateway ${fmt(r.median.serverCpuPctByProcess.instance1)}, redis ${fmt(r.median.serverCpuPctByProcess.redis)}`
              : '',
          ]
            .filter(Boolean)
            .join('; ')
        : undefined,
    })),

  checks(results, p) {
    const m = (id) => results[id]?.median;
    const redis = m('pulse-redis');
    if (!redis) return [];
    const sio = m('socketio-redis');
    const added = (rate, q) => {
      const a = m(`pulse-redis@${rate}`)?.ackLatencyMs?.[q];
      const b = m(`pulse-memory@${rate}`)?.ackLatencyMs?.[q];
      return a != null && b != null ? round(a - b, 2) : null;
    };
    const all = casesOf(p).map((c) => results[c.id]?.runs ?? []);
    const lost = Math.max(...all.flat().map((r) => r.lostAmongAcked));
    const complete = all.every((runs) => runs.every((r) => r.checkComplete));
    const rate = (x) => (x ? `${x.acceptedPerSec.toLocaleString('en-US')}/s` : '—');
    return [
      {
        target: '≥ 40,000 acknowledged publishes/s through Redis from one instance',
        measured: `${rate(redis)} (in-memory bus ${rate(m('pulse-memory'))}, Socket.IO + redis-adapter ${rate(sio)})`,
        met: redis.acceptedPerSec >= 40_000,
      },
      ...p.pacedRates.map((rate) => ({
        target: `p99 publish-to-ack added by Redis ≤ 5 ms (paced ${rate.toLocaleString('en-US')}/s)`,
        measured:
          `+${fmt(added(rate, 'p99'))} ms (p50 +${fmt(added(rate, 'p50'))} ms); ` +
          `p99 in-memory ${fmt(m(`pulse-memory@${rate}`)?.ackLatencyMs?.p99)} ms, Redis bus ${fmt(m(`pulse-redis@${rate}`)?.ackLatencyMs?.p99)} ms, ` +
          `Socket.IO + redis-adapter ${fmt(m(`socketio-redis@${rate}`)?.ackLatencyMs?.p99)} ms`,
        met: added(rate, 'p99') != null ? added(rate, 'p99') <= 5 : null,
      })),
      {
        target: 'no acknowledged publish lost (any run, any server)',
        measured:
          `${lost} lost` +
          (complete ? '' : ' (a checker still receiving at the deadline: inconclusive)'),
        met: complete ? lost === 0 : null,
      },
    ];
  },
};
