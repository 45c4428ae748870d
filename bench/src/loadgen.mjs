#!/usr/bin/env node
// The load generator: one process holding many subscriber and publisher connections (the
// orchestrator starts several when one is not enough). Driven over the IPC channel by run.mjs:
//
//   setup  {config}                      connect and subscribe everything   → ready {...}
//   run    {publishStartAt, publishStopAt, windows:[{name,start,end}], stallAt?, stormAt?}
//   report {quietMs, maxWaitMs, drainMs} wait for the stream to go quiet      → report {...}
//   close                                 terminate sockets and exit
//
// All times are wall-clock ms shared by every process of the run (see loadgen/clock.mjs).
// Standalone: `node bench/src/loadgen.mjs config.json` runs setup, a 5 s run and prints the
// report as JSON on stdout.
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { now, sleep, sleepUntil } from './loadgen/clock.mjs';
import { MqttPublisher } from './loadgen/mqtt-publisher.mjs';
import { MqttSubscriber } from './loadgen/mqtt-subscriber.mjs';
import { Publisher } from './loadgen/publisher.mjs';
import { pool } from './loadgen/socket.mjs';
import { Operator } from './loadgen/operator.mjs';
import { connectStalled } from './loadgen/stalled-client.mjs';
import { Subscriber } from './loadgen/subscriber.mjs';
import { Tally, Window } from './loadgen/tally.mjs';

const TICK_MS = 10;
/** A load generator never outlives this, whatever its parent does. */
const MAX_LIFETIME_MS = 15 * 60_000;

const tally = new Tally();
/** @type {Subscriber[]} */
let subscribers = [];
/** @type {Publisher[]} */
let publishers = [];
/** @type {Operator[]} */
let operators = [];
let stalled;
let config;
/** When this run's publishers stop (all load generators share it). */
let publishStopAt;
const loopDelay = monitorEventLoopDelay({ resolution: 5 });

/**
 * @typedef {object} LoadgenConfig
 * @property {string} url         ws://host:port/path
 * @property {string} subprotocol
 * @property {string} subscriberToken
 * @property {number} [history]    sent with each subscribe (Pulse: 0)
 * @property {{topics: string[], maxRate?: number, checker?: boolean, checkBy?: 'seq' | 'ts'}[]} subscribers
 * @property {object[]} publishers see loadgen/publisher.mjs
 * @property {{topics: string[]}} [stalled]
 * @property {import('./loadgen/operator.mjs').OperatorSpec[]} [operators] connect all at once at `stormAt`
 * @property {number} [connectConcurrency]
 * @property {boolean} [reportLastSeqs] include every subscriber's last seq per topic
 */

async function setup(cfg) {
  config = cfg;
  const t0 = now();
  const target = { url: cfg.url, subprotocol: cfg.subprotocol, history: cfg.history };
  const subUrl = `${cfg.url}?token=${encodeURIComponent(cfg.subscriberToken)}`;
  // `transport: 'mqtt'` specs are MQTT clients (the mqtt scenario); the rest speak Pulse's protocol.
  subscribers = cfg.subscribers.map((spec) =>
    spec.transport === 'mqtt'
      ? new MqttSubscriber(tally, spec)
      : new Subscriber(tally, spec, { ...target, url: subUrl }),
  );
  publishers = cfg.publishers.map((spec) =>
    spec.transport === 'mqtt' ? new MqttPublisher(tally, spec) : new Publisher(tally, spec, target),
  );
  operators = (cfg.operators ?? []).map((spec) => new Operator(spec, { ...target, url: subUrl }));
  const concurrency = cfg.connectConcurrency ?? 100;
  const timeoutMs = cfg.setupTimeoutMs ?? 30_000;
  const connectResults = await pool([...subscribers, ...publishers], concurrency, (c) =>
    c.connect(timeoutMs),
  );
  const subscribeResults = await pool(subscribers, concurrency, (s) =>
    s.ws || s.client ? s.subscribe(timeoutMs) : Promise.reject(new Error('not connected')),
  );
  const errors = [...connectResults, ...subscribeResults].filter((r) => !r.ok).map((r) => r.error);
  return {
    setupMs: Math.round(now() - t0),
    subscribers: subscribers.length,
    publishers: publishers.length,
    connected: connectResults.filter((r) => r.ok).length,
    subscriptionsConfirmed: subscribers.reduce((n, s) => n + s.confirmed, 0),
    subscriptionsRefused: subscribers.reduce((n, s) => n + s.failed, 0),
    errorCount: errors.length,
    errors: [...new Set(errors)].slice(0, 5),
  };
}

function run({ publishStartAt, publishStopAt: stopAt, windows, stallAt, stormAt }) {
  publishStopAt = stopAt;
  tally.windows = windows.map((w) => new Window(w.name, w.start, w.end));
  for (const s of subscribers) s.counts = new Array(windows.length).fill(0);
  for (const p of publishers) p.start(publishStartAt, publishStopAt);
  const first = windows[0]?.start ?? publishStartAt;
  setTimeout(
    () => {
      loopDelay.reset();
      loopDelay.enable();
    },
    Math.max(0, first - now()),
  );
  const last = windows.at(-1)?.end ?? publishStopAt;
  setTimeout(() => loopDelay.disable(), Math.max(0, last - now()));
  const ticker = setInterval(() => {
    const t = now();
    for (const p of publishers) p.tick(t);
    if (t > stopAt + 1000 && publishers.every((p) => !p.running)) clearInterval(ticker);
  }, TICK_MS);
  if (stallAt !== undefined && config.stalled) void stallLater(stallAt);
  if (stormAt !== undefined && operators.length) {
    const timeoutMs = config.setupTimeoutMs ?? 30_000;
    setTimeout(
      () => operators.forEach((o) => void o.open(timeoutMs)),
      Math.max(0, stormAt - now()),
    );
  }
}

/** Connects the stalled client at `stallAt`, lets it subscribe, then stops it reading. */
async function stallLater(stallAt) {
  await sleepUntil(stallAt);
  const url = new URL(config.url);
  stalled = { startedAt: now(), error: '', txSamples: [] };
  try {
    const client = await connectStalled({
      host: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      token: config.subscriberToken,
      subprotocol: config.subprotocol,
      topics: config.stalled.topics,
    });
    client.stall();
    stalled.client = client;
    stalled.stalledAt = now();
    // Watch the server's side of the connection in /proc/net/tcp: it disappears (or leaves
    // ESTABLISHED) when the server gives up on the client, even though the client reads nothing.
    stalled.probe = setInterval(() => {
      const s = client.serverSocket();
      const t = now();
      if (!s || s.state !== '01') {
        stalled.serverClosedAt ??= t;
        stalled.serverStateAfter = s?.state ?? 'gone';
      } else {
        stalled.maxServerTxQueue = Math.max(stalled.maxServerTxQueue ?? 0, s.txQueue);
        stalled.txSamples.push([t, s.txQueue]);
      }
    }, 50);
  } catch (err) {
    stalled.error = err instanceof Error ? err.message : String(err);
  }
}

async function report({ quietMs = 300, maxWaitMs = 3000, drainMs = 2000 } = {}) {
  // Wait until deliveries stop (a server may still be flushing a backlog), at most `maxWaitMs`
  // after publishing stopped: a flooded event loop may see this command late, and must not
  // wait longer because of it.
  const stop = publishStopAt ?? now();
  while (now() < stop + maxWaitMs && now() - Math.max(tally.lastDeliveryAt, stop) < quietMs) {
    await sleep(25);
  }
  // Operators still receiving their replays get the same bound.
  while (now() < stop + maxWaitMs && operators.some((o) => !o.done)) await sleep(25);
  const quietAfterMs = Math.round(Math.max(tally.lastDeliveryAt, stop) - stop);
  // False when deliveries were still arriving at the deadline: counts are then a lower bound.
  const wentQuiet = now() - Math.max(tally.lastDeliveryAt, stop) >= quietMs;
  // Stop reading whatever backlog is left, so the report is built (and sent) promptly.
  for (const c of [...subscribers, ...operators]) {
    if (c.ws) c.ws.pause();
    else c.pause?.();
  }
  let stalledReport;
  if (stalled) {
    clearInterval(stalled.probe);
    const state = stalled.client ? await stalled.client.drain(drainMs) : undefined;
    stalledReport = {
      error: stalled.error,
      stalledAt: stalled.stalledAt,
      serverClosedAfterMs: stalled.serverClosedAt
        ? Math.round(stalled.serverClosedAt - stalled.stalledAt)
        : null,
      serverStateAfter: stalled.serverStateAfter ?? '01',
      maxServerTxQueue: stalled.maxServerTxQueue ?? 0,
      // When the kernel's send queue for it stopped growing (≥ 90 % of its peak): from then on
      // unsent data piles up in the server process, where the server's own limits apply.
      kernelFullAfterMs: kernelFullAfter(stalled),
      closeFrameCode: state?.closeCode ?? null,
      closeFrameReason: state?.closeReason ?? '',
      framesDrained: state?.framesAfterResume ?? 0,
      bytesDrained: state?.bytesAfterResume ?? 0,
    };
  }
  const windows = tally.windows.map((w, i) => ({
    ...w.toJSON(),
    perSubscriber: subscribers.filter((s) => !s.spec.checker).map((s) => s.counts[i] ?? 0),
  }));
  return {
    pid: process.pid,
    quietAfterMs,
    wentQuiet,
    windows,
    totals: {
      deliveries: tally.deliveries,
      frames: tally.frames,
      outOfOrder: tally.outOfOrder,
      errors: tally.errors,
      notices: tally.notices,
      closes: tally.closes,
    },
    eventLoopDelayMs: {
      p50: round(loopDelay.percentile(50) / 1e6),
      p99: round(loopDelay.percentile(99) / 1e6),
      max: round(loopDelay.max / 1e6),
    },
    publishers: publishers.map((p) => p.toJSON()),
    checker: Object.fromEntries(
      subscribers
        .filter((s) => s.spec.checker)
        .flatMap((s) => [...s.seen].map(([topic, r]) => [topic, r.toJSON()])),
    ),
    lastSeqs: config.reportLastSeqs
      ? subscribers.filter((s) => !s.spec.checker).map((s) => Object.fromEntries(s.lastSeq))
      : undefined,
    openSubscribers: subscribers.filter((s) => s.ws?.readyState === 1).length,
    operators: operators.map((o) => o.toJSON()),
    stalled: stalledReport,
  };
}

const round = (x) => Math.round(x * 1000) / 1000;

function kernelFullAfter(s) {
  const peak = s.maxServerTxQueue ?? 0;
  const first = s.txSamples.find(([, q]) => q >= 0.9 * peak);
  return peak > 0 && first ? Math.round(first[0] - s.stalledAt) : null;
}

function closeAll() {
  for (const c of [...subscribers, ...publishers, ...operators]) c.close();
  stalled?.client?.state.socket.destroy();
}

// Never outlive the run.
setTimeout(() => {
  closeAll();
  process.exit(3);
}, MAX_LIFETIME_MS).unref();

if (process.send) {
  process.on('disconnect', () => {
    closeAll();
    process.exit(0);
  });
  process.on('message', async (msg) => {
    try {
      switch (msg.cmd) {
        case 'setup':
          process.send({ evt: 'ready', ...(await setup(msg.config)) });
          break;
        case 'run':
          run(msg);
          process.send({ evt: 'running' });
          break;
        case 'report':
          process.send({ evt: 'report', report: await report(msg) });
          break;
        case 'close':
          closeAll();
          process.send({ evt: 'closed' }, () => process.exit(0));
          break;
        default:
          process.send({ evt: 'error', message: `unknown command ${msg.cmd}` });
      }
    } catch (err) {
      process.send({ evt: 'error', message: err instanceof Error ? err.stack : String(err) });
    }
  });
} else {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write(
      'usage: node bench/src/loadgen.mjs <config.json>  (normally started by run.mjs)\n',
    );
    process.exit(2);
  }
  const cfg = JSON.parse(readFileSync(file, 'utf8'));
  const ready = await setup(cfg);
  const start = now() + 200;
  run({
    publishStartAt: start,
    publishStopAt: start + 5000,
    windows: [{ name: 'measure', start: start + 1000, end: start + 5000 }],
  });
  await sleepUntil(start + 5000);
  const result = await report({});
  process.stdout.write(`${JSON.stringify({ ready, ...result })}\n`);
  closeAll();
  process.exit(0);
}
