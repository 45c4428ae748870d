// The history store measured on its own, for ADR 0005: write throughput of the writer's batch
// statement (raw insert + both rollup folds) and the latency of a 30-day `step=auto` read,
// on the embedded engine (PGlite, on disk) and on a PostgreSQL 15 server of our own (initdb +
// pg_ctl on a free port, fsync on). Each figure is the median of RUNS runs; the raw runs and
// the medians go to bench/results/history-store.json. Needs the gateway built
// (`pnpm --filter @pulse/gateway build`). Usage: node bench/history/store.mjs
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const dist = new URL('../../apps/gateway/dist/history/', import.meta.url);
const { HistoryStore } = await import(new URL('history-store.js', dist).href);
const { openPglite } = await import(new URL('pglite-port.js', dist).href);
const { openPostgres } = await import(new URL('postgres-port.js', dist).href);
const { planAuto } = await import(new URL('resolution.js', dist).href);
const { bucketHistory } = await import(new URL('history-query.js', dist).href);

const RUNS = 3;
const POINTS = 100_000;
const BATCH = 5000;
const TOPICS = 400; // 100 devices × 4 metrics
const QUERIES = 50;
const DAY = 86_400_000;
const retention = { rawMs: 2 * DAY, minuteMs: 30 * DAY, hourMs: 365 * DAY };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const topic = (i) => `device.d${Math.floor(i / 4)}.m${i % 4}`;

/** POINTS readings over the last hour, round-robin over TOPICS, in time order like live ones. */
function points(now, epoch) {
  return Array.from({ length: POINTS }, (_, i) => {
    const t = now - 3_600_000 + Math.floor((i * 3_600_000) / POINTS);
    const value = Math.sin(i / 1000) * 10 + 20;
    return {
      topic: topic(i % TOPICS),
      epoch,
      seq: Math.floor(i / TOPICS) + 1,
      t,
      serverTs: t,
      value,
      volume: 0,
      payload: { value, unit: 'C', ts: t },
    };
  });
}

async function writeRate(store, run) {
  const all = points(Date.now(), `e${run}`);
  const started = performance.now();
  for (let i = 0; i < all.length; i += BATCH) await store.write(all.slice(i, i + BATCH));
  return Math.round(all.length / ((performance.now() - started) / 1000));
}

/** 30 days of 1-minute and 1-hour rollups for one topic (as if written live), then timed reads. */
async function queryLatency(store) {
  const now = Date.now();
  const start = now - 30 * DAY;
  for (const [table, step] of [
    ['history_1m', 60_000],
    ['history_1h', 3_600_000],
  ])
    await store.sql.query(
      `INSERT INTO ${table} SELECT 'device.q.m0', b, 10, 1, 3, 20, 0, b, 1, 2, b + 1, 10, 2
         FROM generate_series($1::bigint, $2::bigint, $3::bigint) AS b ON CONFLICT DO NOTHING`,
      [start - (start % step), now, step],
    );
  const times = [];
  for (let i = 0; i < QUERIES; i++) {
    const plan = planAuto(start, now, retention, now);
    const t0 = performance.now();
    const res = await bucketHistory(store.sql, 'device.q.m0', plan, now, 'readings');
    times.push(performance.now() - t0);
    if (res.points.length === 0) throw new Error('no points');
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(QUERIES / 2)], p99: times[Math.ceil(QUERIES * 0.99) - 1] };
}

const asPostgres = (cmd, args) =>
  userInfo().uid === 0
    ? execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' })
    : execFileSync(cmd, args, { stdio: 'pipe' });

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startPostgres() {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-bench-pg-'));
  if (userInfo().uid === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(dir, uid, gid);
  }
  const bin = '/usr/lib/postgresql/15/bin';
  const data = join(dir, 'data');
  asPostgres(`${bin}/initdb`, ['-D', data, '-U', 'postgres', '--auth=trust']);
  const port = await freePort();
  asPostgres(`${bin}/pg_ctl`, [
    '-D',
    data,
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
    '-l',
    join(dir, 'log'),
    '-w',
    'start',
  ]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      asPostgres(`${bin}/pg_ctl`, ['-D', data, '-m', 'fast', '-w', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const results = {
  date: new Date().toISOString(),
  points: POINTS,
  batch: BATCH,
  topics: TOPICS,
  engines: {},
};
// `postgres-1-lane`: each batch as one statement (what the writer did before lanes), measured
// in the same run as the default (ENGINES=postgres,postgres-1-lane to leave PGlite out).
const ENGINES = (process.env.ENGINES ?? 'pglite,postgres,postgres-1-lane').split(',');
// Engines interleaved run by run, so a busy spell on the machine hits each of them alike.
const runsOf = Object.fromEntries(ENGINES.map((e) => [e, []]));
for (let run = 0; run < RUNS; run++) {
  for (const engine of ENGINES) {
    const runs = runsOf[engine];
    const dir = mkdtempSync(join(tmpdir(), 'pulse-bench-pglite-'));
    const server = engine.startsWith('postgres') ? await startPostgres() : undefined;
    const store = server
      ? new HistoryStore(openPostgres(server.url), engine === 'postgres-1-lane' ? 1 : undefined)
      : new HistoryStore(await openPglite(dir));
    try {
      await store.migrate();
      const rate = await writeRate(store, run);
      const query = await queryLatency(store);
      runs.push({ writePointsPerS: rate, query30dP50Ms: query.p50, query30dP99Ms: query.p99 });
      console.log(engine, run + 1, JSON.stringify(runs.at(-1)));
    } finally {
      await store.close();
      server?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
for (const [engine, runs] of Object.entries(runsOf)) {
  results.engines[engine] = {
    date: results.date,
    runs,
    median: {
      writePointsPerS: median(runs.map((r) => r.writePointsPerS)),
      query30dP50Ms: median(runs.map((r) => r.query30dP50Ms)),
      query30dP99Ms: median(runs.map((r) => r.query30dP99Ms)),
    },
  };
}
// A partial run (ENGINES) updates its engines and keeps the others' last figures.
const out = new URL('../results/history-store.json', import.meta.url);
let previous = {};
try {
  previous = JSON.parse(readFileSync(out, 'utf8')).engines ?? {};
} catch {
  // first run
}
results.engines = { ...previous, ...results.engines };
writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
console.log(
  JSON.stringify(
    Object.fromEntries(Object.entries(results.engines).map(([k, v]) => [k, v.median])),
  ),
);
