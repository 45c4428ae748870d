// 7. redis-fanout: cross-instance delivery. Publishers on instance A, subscribers on instance B,
// both on one Redis — Pulse with its Redis bus, Socket.IO 4 with `@socket.io/redis-adapter`.
// The same load on one instance without Redis (Pulse: the in-memory bus) is the reference the
// Redis hop's added latency is taken against. Pulse batches each connection's updates for up to
// BATCH_WINDOW_MS (5 ms by default) where Socket.IO sends each at once, so Pulse also runs with
// batching off, to compare the paths rather than the settings.
import { fmt, round } from '../orchestrate/stats.mjs';
import {
  deal,
  HIGH_PUBLISH_LIMITS,
  incidents,
  onePublisherPerTopic,
  target,
  timing,
  windowMetrics,
} from './common.mjs';

const CASES = [
  {
    id: 'pulse-memory',
    server: 'pulse',
    scaled: false,
    what: 'Pulse, one instance, in-memory bus',
  },
  { id: 'pulse-redis', server: 'pulse', scaled: true, what: 'Pulse, A → Redis → B' },
  {
    id: 'pulse-redis-unbatched',
    server: 'pulse',
    scaled: true,
    what: 'Pulse, A → Redis → B, BATCH_WINDOW_MS=0',
    env: { BATCH_WINDOW_MS: '0' },
  },
  { id: 'socketio-local', server: 'socketio', scaled: false, what: 'Socket.IO, one instance' },
  {
    id: 'socketio-redis',
    server: 'socketio',
    scaled: true,
    what: 'Socket.IO + redis-adapter, A → Redis → B',
  },
];

export default {
  name: 'redis-fanout',
  title: 'Cross-instance delivery through Redis: publish on A, subscribe on B',
  targets:
    'cross-instance p50/p99 and the Redis hop’s added latency, Pulse vs Socket.IO 4 + redis-adapter',

  params: (quick) => ({
    topics: 10,
    ratePerTopic: quick ? 100 : 200,
    subscribersPerTopic: 10,
    loadgens: 2,
    ...timing(quick),
  }),

  cases(p) {
    const subscribers = p.topics * p.subscribersPerTopic;
    const offered = {
      publishesPerSec: p.topics * p.ratePerTopic,
      deliveriesPerSec: subscribers * p.ratePerTopic,
    };
    return CASES.map((c) => ({
      id: c.id,
      server: c.server,
      label: `${c.what}: ${subscribers} subs × ${p.topics} topics @ ${p.ratePerTopic}/s`,
      offered,
      plan: {
        server: c.server,
        instances: c.scaled ? 2 : 1,
        redis: c.scaled,
        env: {
          // No throttle: the point is the path between instances, and every update must arrive.
          TOPIC_POLICIES: 'device.*.*=0:conflate;price.*=0:conflate',
          PUBLISH_LIMITS: HIGH_PUBLISH_LIMITS,
          ...c.env,
        },
        warmupMs: p.warmupMs,
        windows: [{ name: 'measure', ms: p.measureMs }],
        loadgens: async (ctx) => {
          const { subs, pubs } = await onePublisherPerTopic(ctx, {
            topics: p.topics,
            subscribers,
            rate: p.ratePerTopic,
            prefix: 'xi',
          });
          // Scaled: publishers talk to instance A (0), subscribers to instance B (1).
          const onA = await target(ctx, 0);
          const onB = await target(ctx, c.scaled ? 1 : 0);
          const subParts = deal(subs, p.loadgens);
          return [
            ...subParts.map((s) => ({ ...onB, subscribers: s, publishers: [] })),
            { ...onA, subscribers: [], publishers: pubs },
          ];
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
      note: r.median?.serverCpuPctByProcess
        ? `CPU % by process: ${Object.entries(r.median.serverCpuPctByProcess)
            .map(([k, v]) => `${k} ${fmt(v)}`)
            .join(', ')}`
        : undefined,
    })),

  checks(results) {
    const m = (id) => results[id]?.median;
    const pulse = m('pulse-redis');
    const sio = m('socketio-redis');
    if (!pulse) return [];
    const added = (scaled, local, q) =>
      scaled?.latencyMs?.[q] != null && local?.latencyMs?.[q] != null
        ? round(scaled.latencyMs[q] - local.latencyMs[q], 2)
        : null;
    const offered = results['pulse-redis'].case.offered.deliveriesPerSec;
    const delivered = (x) => (x ? `${Math.round((100 * x.deliveriesPerSec) / offered)} %` : '—');
    return [
      {
        target: 'cross-instance p50 / p99 (publish on A, receive on B)',
        measured:
          `Pulse ${fmt(pulse.latencyMs?.p50)} / ${fmt(pulse.latencyMs?.p99)} ms, ` +
          `Socket.IO ${fmt(sio?.latencyMs?.p50)} / ${fmt(sio?.latencyMs?.p99)} ms`,
        met: null,
      },
      {
        target: 'the Redis hop’s added latency p50 / p99 (scaled minus one instance)',
        measured:
          `Pulse +${fmt(added(pulse, m('pulse-memory'), 'p50'))} / +${fmt(added(pulse, m('pulse-memory'), 'p99'))} ms, ` +
          `Socket.IO +${fmt(added(sio, m('socketio-local'), 'p50'))} / +${fmt(added(sio, m('socketio-local'), 'p99'))} ms`,
        met: null,
      },
      {
        target: 'cross-instance p50 / p99 with batching off (BATCH_WINDOW_MS=0)',
        measured: `Pulse ${fmt(m('pulse-redis-unbatched')?.latencyMs?.p50)} / ${fmt(m('pulse-redis-unbatched')?.latencyMs?.p99)} ms`,
        met: null,
      },
      {
        target: 'everything offered delivered across instances',
        measured: `Pulse ${delivered(pulse)}, Socket.IO ${delivered(sio)}`,
        met: pulse.deliveriesPerSec >= 0.99 * offered,
      },
      {
        target: 'server-side CPU µs per delivery (A + B + Redis)',
        measured: `Pulse ${fmt(pulse.cpuUsPerDelivery)} vs Socket.IO ${fmt(sio?.cpuUsPerDelivery)} µs`,
        met: sio ? pulse.cpuUsPerDelivery <= sio.cpuUsPerDelivery : null,
      },
    ];
  },
};
