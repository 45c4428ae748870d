// 4. slow consumer: normal subscribers receive a steady stream (each watches one topic, ~10 KB/s,
// ~2 MB/s together); then one client connects, subscribes to every topic (so it is offered the
// same ~2 MB/s as all the others together) and stops reading. Measured in one run: the others'
// latency before ("alone") and after ("stalled") it stalls, the server's memory, and whether and
// when the server closes the stalled client. Loopback TCP buffers absorb a few MB (the sender's
// buffer autotunes up to net.ipv4.tcp_wmem's maximum) before any of it shows in the server's
// own send buffer, so the stalled client must be offered MBs per second to be detected in seconds.
import { fmt } from '../orchestrate/stats.mjs';
import { deal, HIGH_PUBLISH_LIMITS, incidents, mb, target, windowMetrics } from './common.mjs';

const SLOW_CONSUMER_CODE = 4100;

export default {
  name: 'slow-consumer',
  title: 'Slow consumer: one stalled subscriber beside 200 normal ones',
  targets:
    'the stalled client is closed with 4100 within the configured time; the others’ p99 stays within 2× of the run without it; gateway RSS grows ≤ 2 MB for it (baseline: report growth)',

  params: (quick) => ({
    subscribers: 200,
    devices: 20,
    metricsPerDevice: 10, // 200 topics, one per normal subscriber
    ratePerTopic: 70, // ~150-byte updates: 200 × 70/s ≈ 2.1 MB/s to the normal subscribers together
    loadgens: 1,
    warmupMs: quick ? 500 : 2000,
    aloneMs: quick ? 1000 : 8000,
    stalledMs: quick ? 4000 : 15_000,
    // A second run per server with the same timeline and no stalled client: the reference for
    // the others' p99 and for memory growth (quick mode compares within the run instead).
    control: !quick,
    /** How long the stalled client reads at the end, looking for the server's close frame. */
    drainMs: quick ? 500 : 3000,
    slow: quick
      ? { SLOW_SOFT_BYTES: '262144', SLOW_HARD_BYTES: '1048576', SLOW_MAX_MS: '500' }
      : { SLOW_SOFT_BYTES: '262144', SLOW_HARD_BYTES: '1048576', SLOW_MAX_MS: '5000' },
  }),

  cases(p) {
    const variants = ['pulse', 'baseline'].flatMap((server) => [
      { server, stall: true },
      ...(p.control ? [{ server, stall: false }] : []),
    ]);
    return variants.map(({ server, stall }) => ({
      id: stall ? server : `${server}-control`,
      server,
      stall,
      label:
        `${p.subscribers} subs, 1 topic each @ ${p.ratePerTopic}/s` +
        (stall ? '; stalled client on all' : '; control, no stalled client'),
      offered: {
        publishesPerSec: p.devices * p.metricsPerDevice * p.ratePerTopic,
        deliveriesPerSec: p.subscribers * p.ratePerTopic,
      },
      plan: {
        server,
        env: {
          TOPIC_POLICIES: 'device.*.*=1000:conflate;price.*=1000:conflate',
          PUBLISH_LIMITS: HIGH_PUBLISH_LIMITS,
          HEARTBEAT_MS: '15000',
          ...p.slow,
        },
        warmupMs: p.warmupMs,
        windows: [
          { name: 'alone', ms: p.aloneMs },
          { name: 'stalled', ms: p.stalledMs },
        ],
        stallWindow: stall ? 'stalled' : undefined,
        flush: { quietMs: 300, maxWaitMs: 1000, drainMs: p.drainMs },
        loadgens: async (ctx) => {
          const devices = Array.from({ length: p.devices }, (_, d) => `slow-${d}`);
          const topicsOf = (dev) =>
            Array.from({ length: p.metricsPerDevice }, (_, m) => `device.${dev}.m${m}`);
          const topics = devices.flatMap(topicsOf);
          const subs = Array.from({ length: p.subscribers }, (_, i) => ({
            topics: [topics[i % topics.length]],
          }));
          const pubs = await Promise.all(
            devices.map(async (dev) => ({
              token: await ctx.token('device', dev),
              topics: topicsOf(dev),
              kind: 'device',
              mode: 'paced',
              rate: p.ratePerTopic * p.metricsPerDevice,
            })),
          );
          const base = await target(ctx);
          const pubParts = deal(pubs, p.loadgens);
          return deal(subs, p.loadgens).map((s, i) => ({
            ...base,
            subscribers: s,
            publishers: pubParts[i],
            ...(i === 0 && stall ? { stalled: { topics } } : {}),
          }));
        },
      },
    }));
  },

  derive(raw, c, p) {
    const alone = windowMetrics(raw, 'alone');
    const stalled = windowMetrics(raw, 'stalled');
    const s = raw.report.stalled ?? {};
    // The gateway's own count of slow-consumer closes (the close frame rarely reaches a client
    // that reads nothing).
    const slowMetrics =
      raw.metrics === null
        ? { 'metrics unreadable': -1 }
        : Object.fromEntries(Object.entries(raw.metrics).filter(([k]) => /slow/i.test(k)));
    return {
      ...stalled,
      alone,
      p99RatioToAlone: alone.latencyMs?.p99 ? stalled.latencyMs?.p99 / alone.latencyMs.p99 : null,
      rssGrowthMb: mb(raw.windows[1].serverRssKb.peak - raw.windows[0].serverRssKb.peak),
      // RSS drift while nothing stalled: the noise floor of the growth figure.
      rssDriftAloneMb: mb(raw.windows[0].serverRssKb.end - raw.windows[0].serverRssKb.start),
      rssGrowthMbPerSec: mb(
        (raw.windows[1].serverRssKb.end - raw.windows[1].serverRssKb.start) /
          (raw.windows[1].ms / 1000),
      ),
      stalledClient: {
        error: c.stall ? (s.error ?? 'not started') : 'none in this run',
        closed: s.serverClosedAfterMs != null || s.closeFrameCode != null,
        serverClosedAfterMs: s.serverClosedAfterMs ?? null,
        closeFrameCode: s.closeFrameCode ?? null,
        closeFrameReason: s.closeFrameReason ?? '',
        maxServerKernelQueueKb: Math.round((s.maxServerTxQueue ?? 0) / 1024),
        kernelFullAfterMs: s.kernelFullAfterMs ?? null,
        drainedKb: Math.round((s.bytesDrained ?? 0) / 1024),
      },
      configuredMaxMs: Number(p.slow.SLOW_MAX_MS),
      slowMetrics,
      incidents: incidents(raw),
    };
  },

  rows: (results) =>
    Object.values(results)
      .filter((r) => !r.case.id.endsWith('-control'))
      .flatMap((r) => {
        const m = r.median;
        const control = results[`${r.case.id}-control`]?.median;
        const base = {
          id: r.case.id,
          server: r.case.server,
          offered: r.case.offered.deliveriesPerSec,
        };
        if (!m) return [{ ...base, case: r.case.label }];
        const c = compare(m, control);
        const sc = m.stalledClient;
        const fate = sc.closed
          ? `stalled client dropped ${sc.serverClosedAfterMs ?? '?'} ms after it stalled (kernel buffers full after ${sc.kernelFullAfterMs ?? '?'} ms), close frame ${sc.closeFrameCode ?? 'not seen'}`
          : 'stalled client never closed';
        return [
          { ...base, case: 'before the client stalls', m: m.alone },
          ...(control
            ? [
                {
                  ...base,
                  id: `${r.case.id}-control`,
                  case: 'control run: no stalled client',
                  m: control,
                },
              ]
            : []),
          {
            ...base,
            case: 'after the client stalls',
            m,
            note: `${fate}; RSS +${c.rssGrowthMb} MB vs ${c.reference}; p99 ×${c.p99Ratio?.toFixed(2)}`,
          },
        ];
      }),

  checks(results) {
    const m = results.pulse?.median;
    if (!m) return [];
    const c = compare(m, results['pulse-control']?.median);
    const base = results.baseline?.median;
    const cb = base ? compare(base, results['baseline-control']?.median) : undefined;
    const sc = m.stalledClient;
    const unreadable = 'metrics unreadable' in m.slowMetrics;
    const counted = Object.values(m.slowMetrics).some((v) => v > 0);
    const codeOk =
      sc.closeFrameCode === SLOW_CONSUMER_CODE || (sc.closeFrameCode === null && counted);
    return [
      {
        target: `stalled client closed with ${SLOW_CONSUMER_CODE}`,
        measured: sc.closed
          ? `dropped ${sc.serverClosedAfterMs ?? '?'} ms after it stalled, ${sc.kernelFullAfterMs == null ? '?' : sc.serverClosedAfterMs - sc.kernelFullAfterMs} ms after the kernel's buffers for it were full (SLOW_MAX_MS ${m.configuredMaxMs}); close frame ${sc.closeFrameCode ?? 'not received (stuck behind unread data)'}; ${unreadable ? '/metrics unreadable' : `slow-consumer counter ${counted ? 'counted it' : 'did not count it'}`}`
          : 'not closed',
        met: sc.closed && codeOk,
      },
      {
        target: 'others’ p99 within 2× of the run without it',
        measured: `${fmt(m.latencyMs?.p99)} vs ${fmt(c.p99Reference)} ms ${c.reference} (×${c.p99Ratio?.toFixed(2)})`,
        met: c.p99Ratio != null && c.p99Ratio <= 2,
      },
      {
        target: 'gateway RSS growth ≤ 2 MB',
        measured: `+${c.rssGrowthMb} MB vs ${c.reference} (baseline +${cb?.rssGrowthMb ?? '—'} MB, growing ${base?.rssGrowthMbPerSec ?? '—'} MB/s while stalled)`,
        met: c.rssGrowthMb <= 2,
      },
    ];
  },
};

/**
 * The stalled run against its reference: the control run when there is one, else the window
 * before the stall in the same run. RSS growth is (peak after − peak before), minus the control's.
 */
function compare(m, control) {
  if (control) {
    return {
      reference: 'the control run',
      p99Reference: control.latencyMs?.p99,
      p99Ratio: control.latencyMs?.p99 ? m.latencyMs?.p99 / control.latencyMs.p99 : null,
      rssGrowthMb: Math.round((m.rssGrowthMb - control.rssGrowthMb) * 10) / 10,
    };
  }
  return {
    // Within one run the server's own warm-up growth counts too: indicative only (quick mode).
    reference: 'before it stalled (same run, no control)',
    p99Reference: m.alone.latencyMs?.p99,
    p99Ratio: m.p99RatioToAlone,
    rssGrowthMb: m.rssGrowthMb,
  };
}
