// 11. history-ingest (issue 13): the ingest load, paced, with the durable history store off,
// on the embedded engine (PGlite in a fresh data directory) and on PostgreSQL (a database of its
// own on the machine's server at 127.0.0.1:5432, created before and dropped after each run).
// Measured: a live subscriber's publish-to-receive p50/p99 (the checker, on every topic), and
// the store's sustained write rate over the window (pulse_history_written_points_total at the
// window's edges), its backlog (pulse_history_buffered_points) and dropped points. Two loads:
// the simulator's default fleet (what `npm start` + `pnpm sim` produce) and 50,000 points/s.
// Each store case is compared with the store-off case at the same load, in the same run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countMissing, runsSize } from '../loadgen/seq-ranges.mjs';
import { fmt, round } from '../orchestrate/stats.mjs';
import { incidents, windowMetrics } from './common.mjs';
import { ingestPlan } from './ingest.mjs';

/**
 * The simulator's defaults (apps/simulator/src/flags.ts): 10 devices × 4 metrics at 1 Hz and
 * 5 symbols at 5 Hz, 65 points/s; published here as 13 devices × 5 readings at 1/s.
 */
const FLEET = { publishers: 13, topicsPerPublisher: 5, rate: 65 };
const HIGH = { publishers: 8, topicsPerPublisher: 10, rate: 50_000 };
const PG_HOST = process.env.BENCH_PG_HOST ?? '127.0.0.1';
const PG_PORT = process.env.BENCH_PG_PORT ?? '5432';
const PG_USER = process.env.BENCH_PG_USER ?? 'postgres';

const psql = (sql) =>
  execFileSync(
    'psql',
    [
      '-h',
      PG_HOST,
      '-p',
      PG_PORT,
      '-U',
      PG_USER,
      '-d',
      'postgres',
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      sql,
    ],
    { stdio: 'pipe' },
  );

/** Per-run store resources: nothing, a fresh PGlite data directory, or a fresh database. */
function prepare(store) {
  if (store === 'off') return undefined;
  if (store === 'pglite')
    return async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pulse-bench-history-'));
      return {
        env: { HISTORY: 'on', DATA_DIR: dir },
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
      };
    };
  return async () => {
    const db = `pulse_bench_${process.pid}_${Date.now()}`;
    psql(`CREATE DATABASE ${db}`);
    return {
      env: {
        HISTORY: 'on',
        DATABASE_URL: `postgres://${PG_USER}@${PG_HOST}:${PG_PORT}/${db}`,
      },
      cleanup: async () => void psql(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`),
    };
  };
}

const metric = (m, name) => (m ? (m[name] ?? 0) : null);
const droppedOf = (m) =>
  m
    ? Object.entries(m)
        .filter(([k]) => k.startsWith('pulse_history_dropped_points_total'))
        .reduce((n, [, v]) => n + v, 0)
    : null;

export default {
  name: 'history-ingest',
  title: 'History store under ingest: live p99 with the store off, on PGlite, on PostgreSQL',
  targets:
    'issue 13: the store keeps up with ≥ 50,000 points/s on PostgreSQL and with the simulator’s default fleet on the embedded engine, live p99 within +10 % of the run without a store',

  params: (quick) => ({
    warmupMs: quick ? 1000 : 3000,
    measureMs: quick ? 2000 : 10_000,
    flushMaxMs: quick ? 2500 : 8000,
  }),

  cases(p) {
    const load = (name, l) => ({ ...p, ...l, window: 0, ackEvery: 1, load: name });
    const list = [
      ['fleet', FLEET, ['off', 'pglite', 'postgres']],
      ['high', HIGH, ['off', 'pglite', 'postgres']],
    ];
    return list.flatMap(([name, l, stores]) =>
      stores.map((store) => {
        const lp = load(name, l);
        const plan = ingestPlan(lp, {
          server: 'pulse',
          rate: l.rate,
          devicePrefix: `hist-${name}`,
        });
        return {
          id: `${store}-${name}`,
          server: 'pulse',
          store,
          load: name,
          label: `store ${store}; ${l.publishers} devices × ${l.topicsPerPublisher} readings, ${l.rate.toLocaleString('en-US')}/s in all, every publish acked`,
          offered: { publishesPerSec: l.rate, deliveriesPerSec: l.rate },
          plan: {
            ...plan,
            windows: [{ name: 'measure', ms: p.measureMs }],
            flush: { quietMs: 500, maxWaitMs: p.flushMaxMs },
            metricsAtEdges: true,
            prepare: prepare(store),
          },
        };
      }),
    );
  },

  derive(raw, c) {
    const m = windowMetrics(raw, 'measure');
    const w = raw.windows.find((x) => x.name === 'measure');
    const written = (x) => metric(x, 'pulse_history_written_points_total');
    let acked = 0;
    let lost = 0;
    for (const pub of raw.report.publishers) {
      for (const [topic, runs] of Object.entries(pub.ackedSeqs ?? {})) {
        acked += runsSize(runs);
        lost += countMissing(runs, raw.report.checker[topic] ?? []);
      }
    }
    return {
      ...m,
      acked,
      lostAmongAcked: lost,
      history:
        c.store !== 'off'
          ? {
              // null when /metrics did not answer at an edge (the gateway's event loop was held).
              writtenPerSec:
                w.metricsStart && w.metricsEnd
                  ? round((written(w.metricsEnd) - written(w.metricsStart)) / m.seconds, 0)
                  : null,
              backlogAtWindowEnd: metric(w.metricsEnd, 'pulse_history_buffered_points'),
              // After the load generators reported (publishing stopped, the flush wait passed).
              backlogAfterRun: metric(raw.metrics, 'pulse_history_buffered_points'),
              writtenTotal: written(raw.metrics),
              dropped: droppedOf(raw.metrics),
            }
          : null,
      incidents: incidents(raw),
    };
  },

  rows(results) {
    return Object.values(results).map((r) => {
      const base = results[`off-${r.case.id.split('-')[1]}`]?.median;
      const h = r.median?.history;
      const ratio = ratioOf(r.median, base);
      return {
        id: r.case.id,
        server: r.case.server,
        case: r.case.label,
        offered: r.case.offered.publishesPerSec,
        m: r.median,
        note: r.median
          ? [
              `${fmt(r.median.acksPerSec)} acked/s`,
              h
                ? `store wrote ${fmt(h.writtenPerSec)} points/s, backlog ${fmt(h.backlogAtWindowEnd)} at window end / ${fmt(h.backlogAfterRun)} after, ${fmt(h.dropped)} dropped`
                : 'no store',
              ratio !== null && h ? `p99 ×${ratio} of store off` : '',
              `lost ${r.median.lostAmongAcked} of ${fmt(r.median.acked)} acked`,
            ]
              .filter(Boolean)
              .join('; ')
          : undefined,
      };
    });
  },

  checks(results) {
    const out = [];
    const check = (id, wantRate) => {
      const r = results[id];
      const base = results[`off-${id.split('-')[1]}`];
      if (!r?.median || !base?.median) return;
      const h = r.median.history;
      const ratio = ratioOf(r.median, base.median);
      out.push({
        target: `${id}: store keeps up (writes ≥ 95 % of the ${fmt(wantRate)}/s offered, none dropped)`,
        measured: `${fmt(h.writtenPerSec)} written/s of ${fmt(r.median.acksPerSec)} acked/s; backlog ${fmt(h.backlogAtWindowEnd)}; ${fmt(h.dropped)} dropped`,
        met: h.writtenPerSec !== null && h.writtenPerSec >= 0.95 * wantRate && h.dropped === 0,
      });
      out.push({
        target: `${id}: live p99 within +10 % of the store-off run`,
        measured: `p99 ${fmt(r.median.latencyMs?.p99)} ms vs ${fmt(base.median.latencyMs?.p99)} ms (×${ratio})`,
        met: ratio !== null ? ratio <= 1.1 : null,
      });
    };
    check('pglite-fleet', FLEET.rate);
    check('postgres-fleet', FLEET.rate);
    check('postgres-high', HIGH.rate);
    check('pglite-high', HIGH.rate);
    return out;
  },

  findings(results) {
    const out = [];
    for (const r of Object.values(results)) {
      if (!r.median) continue;
      const base = results[`off-${r.case.id.split('-')[1]}`]?.median;
      if (r.median.history && base)
        out.push(
          `${r.case.id}: p50 ${fmt(r.median.latencyMs?.p50)} ms / p99 ${fmt(r.median.latencyMs?.p99)} ms against ${fmt(base.latencyMs?.p50)} / ${fmt(base.latencyMs?.p99)} ms store off (p99 ×${ratioOf(r.median, base)}); server CPU ${fmt(r.median.serverCpuPct)} % vs ${fmt(base.serverCpuPct)} %`,
        );
    }
    return out;
  },
};

function ratioOf(m, base) {
  const a = m?.latencyMs?.p99;
  const b = base?.latencyMs?.p99;
  return a && b ? round(a / b, 2) : null;
}
