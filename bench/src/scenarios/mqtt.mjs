// 11. mqtt: devices over MQTT (issue 12). Ingest: the ingest scenario's load (device publishers,
// pipelined, a checker in its own process subscribed to every topic) sent over Pulse's WebSocket
// protocol (acked), over MQTT QoS 1 (PUBACK) and QoS 0 into the gateway's embedded broker, and
// the same MQTT load into Mosquitto alone (the raw broker cost, nothing validated or sequenced).
// Every PUBACKed publish must have reached the checker. Latency: the simulator's default fleet
// (10 devices × 4 metrics at 1 reading/s, QoS 1 like `--transport mqtt`) published over MQTT and
// over WebSocket, received by an operator subscribed to `device.*.<metric>` as the console is.
import { countMissing, runsSize } from '../loadgen/seq-ranges.mjs';
import { fmt, round } from '../orchestrate/stats.mjs';
import { HIGH_PUBLISH_LIMITS, incidents, target, timing, windowMetrics } from './common.mjs';

/** The simulator's defaults (`apps/simulator/src/flags.ts`, `signals/sensor-profiles.ts`). */
const SIM_DEVICES = 10;
const SIM_METRICS = ['temperature', 'humidity', 'vibration', 'battery'];
const SIM_HZ = 1;

/** QoS 1 into the embedded broker must reach this share of the WebSocket acked rate. */
const QOS1_GOAL = 0.8;

const INGEST_CASES = [
  { id: 'pulse-ws', server: 'pulse', transport: 'ws' },
  { id: 'pulse-mqtt-qos1', server: 'pulse', transport: 'mqtt', qos: 1 },
  { id: 'pulse-mqtt-qos0', server: 'pulse', transport: 'mqtt', qos: 0 },
  { id: 'mosquitto-qos1', server: 'mosquitto', transport: 'mqtt', qos: 1 },
  { id: 'mosquitto-qos0', server: 'mosquitto', transport: 'mqtt', qos: 0 },
];
const LATENCY_CASES = [
  { id: 'latency-ws', server: 'pulse', transport: 'ws', latency: true },
  { id: 'latency-mqtt', server: 'pulse', transport: 'mqtt', qos: 1, latency: true },
];

const INGEST_ENV = {
  // The embedded broker on a free port (bench/src/orchestrate/servers.mjs), in every Pulse case
  // so the WebSocket case pays for the same gateway.
  MQTT_PORT: 'free',
  // As in ingest: throttling off for these topics and a checker that may lag without being cut off.
  TOPIC_POLICIES: 'device.*.*=0:conflate;price.*=0:conflate',
  PUBLISH_LIMITS: HIGH_PUBLISH_LIMITS,
  SLOW_SOFT_BYTES: String(256 * 2 ** 20),
  SLOW_HARD_BYTES: String(2 ** 30),
  SLOW_MAX_MS: '600000',
};
/** Latency at the simulator's load: the gateway as it ships (default policies and batching). */
const LATENCY_ENV = { MQTT_PORT: 'free' };

const what = (c) =>
  c.transport === 'ws' ? 'WebSocket, acked' : `MQTT QoS ${c.qos}${c.qos === 1 ? ' (PUBACK)' : ''}`;

function ingestPlan(p, c) {
  return {
    server: c.server,
    env: c.server === 'pulse' ? INGEST_ENV : undefined,
    warmupMs: p.warmupMs,
    windows: [{ name: 'measure', ms: p.measureMs }],
    flush: { quietMs: 500, maxWaitMs: p.flushMaxMs },
    loadgens: async (ctx) => {
      const server = ctx.server;
      const devices = Array.from({ length: p.publishers }, (_, i) => `mqtt-${i}`);
      const topicsOf = (dev) =>
        Array.from({ length: p.topicsPerPublisher }, (_, k) => `device.${dev}.m${k}`);
      const pubs = await Promise.all(
        devices.map(async (dev) => ({
          ...(await transportOf(ctx, c, dev)),
          topics: topicsOf(dev),
          kind: 'device',
          recordAcks: true,
          mode: 'pipelined',
          window: p.window,
          ackEvery: 1,
        })),
      );
      const allTopics = devices.flatMap(topicsOf);
      const checker =
        server.kind === 'mosquitto'
          ? { transport: 'mqtt', mqttUrl: server.mqttUrl, filters: ['device/+/+'], checker: true }
          : { topics: allTopics, checker: true, checkBy: c.transport === 'mqtt' ? 'ts' : 'seq' };
      const base = server.kind === 'mosquitto' ? mosquittoTarget() : await target(ctx);
      return [
        { ...base, subscribers: [], publishers: pubs },
        { ...base, subscribers: [checker], publishers: [] },
      ];
    },
  };
}

function latencyPlan(p, c) {
  return {
    server: 'pulse',
    env: LATENCY_ENV,
    warmupMs: p.warmupMs,
    windows: [{ name: 'measure', ms: p.latencyMs }],
    flush: { quietMs: 1500, maxWaitMs: 3000 },
    loadgens: async (ctx) => {
      const devices = Array.from(
        { length: SIM_DEVICES },
        (_, i) => `dev-${String(i + 1).padStart(3, '0')}`,
      );
      const pubs = await Promise.all(
        devices.map(async (dev) => ({
          ...(await transportOf(ctx, c, dev)),
          topics: SIM_METRICS.map((m) => `device.${dev}.${m}`),
          kind: 'device',
          mode: 'paced',
          rate: SIM_HZ * SIM_METRICS.length,
          ackEvery: 1,
        })),
      );
      const base = await target(ctx);
      return [
        { ...base, subscribers: [], publishers: pubs },
        // The console's subscription: one pattern per metric (a pattern holds one `*`).
        {
          ...base,
          subscribers: [{ topics: SIM_METRICS.map((m) => `device.*.${m}`) }],
          publishers: [],
        },
      ];
    },
  };
}

/** What a publisher spec needs to reach the server under test with its own device token. */
async function transportOf(ctx, c, dev) {
  if (c.server === 'mosquitto')
    return { transport: 'mqtt', mqttUrl: ctx.server.mqttUrl, qos: c.qos };
  const token = await ctx.token('device', dev);
  if (c.transport === 'ws') return { token };
  return { transport: 'mqtt', mqttUrl: ctx.server.mqttUrl, token, qos: c.qos };
}

/** Mosquitto speaks no Pulse protocol: only MQTT specs go to it. */
const mosquittoTarget = () => ({ url: '', subprotocol: '', subscriberToken: '' });

export default {
  name: 'mqtt',
  title: 'Devices over MQTT: ingest into the embedded broker, against WebSocket and Mosquitto',
  targets:
    'MQTT QoS 1 ≥ 80 % of the WebSocket acked rate; none lost among the PUBACKed; publish-to-console p99 at the simulator’s load next to WebSocket',

  params: (quick) => ({
    publishers: 4,
    topicsPerPublisher: 10,
    window: 512,
    ...timing(quick),
    latencyMs: quick ? 2000 : 15_000,
    flushMaxMs: quick ? 2500 : 8000,
  }),

  cases(p) {
    return [
      ...INGEST_CASES.map((c) => ({
        id: c.id,
        server: c.server,
        label: `${c.server === 'mosquitto' ? 'Mosquitto alone' : 'Pulse'}, ${what(c)}: ${p.publishers} publishers × ${p.topicsPerPublisher} topics, ${c.qos === 0 ? 'as fast as the socket takes them' : `${p.window} in flight each`}`,
        offered: { publishesPerSec: null, deliveriesPerSec: null },
        plan: ingestPlan(p, c),
      })),
      ...LATENCY_CASES.map((c) => ({
        id: c.id,
        server: c.server,
        label: `Pulse, ${what(c)}: simulator default (${SIM_DEVICES} devices × ${SIM_METRICS.length} metrics at ${SIM_HZ}/s), one operator on device.*.<metric>`,
        offered: {
          publishesPerSec: SIM_DEVICES * SIM_METRICS.length * SIM_HZ,
          deliveriesPerSec: SIM_DEVICES * SIM_METRICS.length * SIM_HZ,
        },
        plan: latencyPlan(p, c),
      })),
    ];
  },

  derive(raw, c) {
    const m = windowMetrics(raw, 'measure');
    const pubs = raw.report.publishers;
    const sent = pubs.reduce((n, x) => n + x.sent, 0);
    const rejected = pubs.reduce((n, x) => n + x.rejected, 0);
    const skipped = pubs.reduce((n, x) => n + x.skipped, 0);
    if (c.id.startsWith('latency-'))
      return { ...m, sent, rejected, skipped, incidents: incidents(raw) };
    // Every acknowledged (topic, seq) — for MQTT the payload's per-topic counter — must have
    // reached the checker.
    let acked = 0;
    let lost = 0;
    for (const pub of pubs) {
      for (const [topic, runs] of Object.entries(pub.ackedSeqs ?? {})) {
        acked += runsSize(runs);
        lost += countMissing(runs, raw.report.checker[topic] ?? []);
      }
    }
    const qos0 = c.id.endsWith('qos0');
    return {
      ...m,
      // QoS 0 has no acknowledgement: what reached the checker through the broker is the rate.
      ingestPerSec: qos0 ? m.deliveriesPerSec : m.acksPerSec,
      cpuUsPerIngested: (qos0 ? m.deliveriesPerSec : m.acksPerSec)
        ? round((m.serverCpuPct * 10_000) / (qos0 ? m.deliveriesPerSec : m.acksPerSec), 2)
        : null,
      sent,
      acked,
      rejected,
      skipped,
      lostAmongAcked: lost,
      checkComplete: raw.report.wentQuiet,
      checkerReceived: Object.values(raw.report.checker).reduce((n, runs) => n + runsSize(runs), 0),
      incidents: incidents(raw),
    };
  },

  rows: (results) =>
    Object.values(results).map((r) => ({
      id: r.case.id,
      server: r.case.server,
      case: r.case.label,
      offered: r.case.offered.publishesPerSec ?? 'max',
      m: r.median,
      note: r.median ? noteOf(r.case.id, r.median) : undefined,
    })),

  checks(results) {
    const ws = results['pulse-ws']?.median;
    const q1 = results['pulse-mqtt-qos1']?.median;
    const q0 = results['pulse-mqtt-qos0']?.median;
    const mq1 = results['mosquitto-qos1']?.median;
    const mq0 = results['mosquitto-qos0']?.median;
    const out = [];
    if (ws && q1) {
      const ratio = q1.ingestPerSec / ws.ingestPerSec;
      out.push({
        target: 'MQTT QoS 1 ≥ 80 % of the WebSocket acked rate (same run, same load)',
        measured: `${fmt(q1.ingestPerSec)} vs ${fmt(ws.ingestPerSec)} acked/s (${Math.round(ratio * 100)} %)`,
        met: ratio >= QOS1_GOAL,
      });
    }
    if (q0 || q1) {
      out.push({
        target: 'ingest against Mosquitto alone (the raw broker cost)',
        measured: [
          q1 &&
            mq1 &&
            `QoS 1 ${fmt(q1.ingestPerSec)} vs ${fmt(mq1.ingestPerSec)}/s (${q1.cpuUsPerIngested} vs ${mq1.cpuUsPerIngested} µs CPU each)`,
          q0 &&
            mq0 &&
            `QoS 0 ${fmt(q0.ingestPerSec)} vs ${fmt(mq0.ingestPerSec)}/s (${q0.cpuUsPerIngested} vs ${mq0.cpuUsPerIngested} µs CPU each)`,
        ]
          .filter(Boolean)
          .join('; '),
        met: null,
      });
    }
    const lossOf = (id) => {
      const r = results[id];
      if (!r?.runs.length) return null;
      return {
        lost: Math.max(...r.runs.map((x) => x.lostAmongAcked)),
        acked: r.median.acked,
        complete: r.runs.every((x) => x.checkComplete),
      };
    };
    const loss = ['pulse-ws', 'pulse-mqtt-qos1'].map(lossOf).filter(Boolean);
    if (loss.length) {
      const complete = loss.every((l) => l.complete);
      const lost = loss.reduce((n, l) => n + l.lost, 0);
      out.push({
        target: 'no PUBACKed (or acked) publish lost (any run)',
        measured:
          `${lost} lost; median acked per run: MQTT QoS 1 ${fmt(lossOf('pulse-mqtt-qos1')?.acked)}, WebSocket ${fmt(lossOf('pulse-ws')?.acked)}` +
          (complete ? '' : ' (checker still receiving when the wait ended: inconclusive)'),
        met: complete ? lost === 0 : null,
      });
    }
    const lw = results['latency-ws']?.median;
    const lm = results['latency-mqtt']?.median;
    if (lw && lm) {
      out.push({
        target:
          'publish-to-console p50 / p99 at the simulator’s default load, MQTT next to WebSocket',
        measured: `MQTT ${fmt(lm.latencyMs?.p50)} / ${fmt(lm.latencyMs?.p99)} ms, WebSocket ${fmt(lw.latencyMs?.p50)} / ${fmt(lw.latencyMs?.p99)} ms`,
        met: null,
      });
    }
    return out;
  },
};

function noteOf(id, m) {
  if (id.startsWith('latency-'))
    return `${fmt(m.deliveriesPerSec)} received/s by the operator; ${m.rejected} rejected`;
  const rate = `${fmt(m.ingestPerSec)} ${id.endsWith('qos0') ? 'reached the checker' : 'acked'}/s (${m.cpuUsPerIngested} µs CPU each)`;
  if (id.endsWith('qos0'))
    return `${rate}; sent ${fmt(m.sent)}, checker received ${fmt(m.checkerReceived)} in the whole run`;
  return `${rate}; lost ${m.lostAmongAcked} of ${fmt(m.acked)} acked; ${m.rejected} rejected`;
}
