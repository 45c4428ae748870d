#!/usr/bin/env node
// The benchmark: Pulse and the textbook baseline, side by side, scenario by scenario.
//
//   node bench/src/run.mjs [--quick] [--only broadcast,firehose] [--cases pulse,baseline]
//                          [--repeat N] [--no-build] [--out DIR] [--node PATH | --node24]
//
// Builds the gateway (turbo), then for each scenario runs every case `repeat` times (Pulse and
// baseline interleaved, a fresh server process per run), takes medians, prints a table and writes
// bench/results/<scenario>.json, latest.json and SUMMARY.md (quick mode: bench/results/tmp/quick/).
// With --node PATH (or --node24: the `node@24` package from npm) the servers under test run on
// that binary and the results are tagged by its major version: <scenario>-node24.json, so a run
// on another Node sits next to the record made on the runner's own Node.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { machineBusyPct, machineCpu, machineInfo } from './proc.mjs';
import { measure } from './orchestrate/measure.mjs';
import { checksTable, printTable, scenarioTable, writeResults } from './orchestrate/report.mjs';
import { GATEWAY_MAIN, GATEWAY_ROOT, REPO_ROOT } from './orchestrate/servers.mjs';
import { deepMedian } from './orchestrate/stats.mjs';
import { SCENARIOS } from './scenarios/index.mjs';

// `pnpm bench -- --quick` hands the script a literal `--`, after which parseArgs would treat
// every flag as a positional: drop it.
const argv = process.argv.slice(2).filter((a) => a !== '--');
const { values: opts } = parseArgs({
  args: argv,
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    cases: { type: 'string' },
    repeat: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    out: { type: 'string' },
    node: { type: 'string' },
    node24: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  allowPositionals: true,
});

if (opts.help) {
  process.stdout.write(
    `usage: pnpm bench [-- --quick] [--only ${SCENARIOS.map((s) => s.name).join(',')}] [--cases id,id] [--repeat N] [--no-build] [--out DIR] [--node PATH | --node24]\n`,
  );
  process.exit(0);
}

const only = opts.only
  ?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const unknown = only?.filter((n) => !SCENARIOS.some((s) => s.name === n)) ?? [];
if (unknown.length) {
  process.stderr.write(
    `unknown scenario(s): ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}\n`,
  );
  process.exit(2);
}
const selected = SCENARIOS.filter((s) => !only || only.includes(s.name));
const repeats = Number(opts.repeat ?? (opts.quick ? 1 : 3));
// Quick runs are smoke checks: they go to the git-ignored bench/results/tmp/, never over the record.
const RECORD_DIR = join(REPO_ROOT, 'bench', 'results');
const README = join(REPO_ROOT, 'bench', 'README.md');
const outDir = opts.out ?? (opts.quick ? join(RECORD_DIR, 'tmp', 'quick') : RECORD_DIR);
const command = `node bench/src/run.mjs ${argv.join(' ')}`.trim();
const log = (s) => process.stderr.write(`${s}\n`);

const foreignGateway = GATEWAY_ROOT !== REPO_ROOT;
if (foreignGateway && !opts.out) {
  log(
    `BENCH_GATEWAY_ROOT=${GATEWAY_ROOT} measures another checkout's gateway: name a directory with --out (the record is for this checkout)`,
  );
  process.exit(2);
}
if (foreignGateway) log(`measuring the gateway built in ${GATEWAY_ROOT} (not built here)`);
else if (!opts['no-build']) build();
if (!existsSync(join(GATEWAY_ROOT, GATEWAY_MAIN))) {
  log(
    `${GATEWAY_MAIN} is missing: build the gateway (npx turbo run build --filter=@pulse/gateway) or drop --no-build`,
  );
  process.exit(1);
}

const serverNodeInfo = pickServerNode();
const machine = { ...machineInfo(), serverNode: serverNodeInfo.version };
const git = gitInfo();
machine.busyBeforeStartPct = await busyNow();
if (machine.busyBeforeStartPct > 15) {
  log(
    `warning: the machine is already ${machine.busyBeforeStartPct.toFixed(0)} % busy (of ${machine.cores} cores) before the benchmark starts; ` +
      'figures will be noisy (each row notes the CPU other processes took)',
  );
}
const started = Date.now();
let failures = 0;

for (const scenario of selected) {
  const p = scenario.params(opts.quick);
  const wanted = opts.cases?.split(',').map((s) => s.trim());
  const cases = scenario.cases(p).filter((c) => !wanted || wanted.includes(c.id));
  log(`\n== ${scenario.name}: ${scenario.title} (${cases.length} case(s) × ${repeats})`);
  const runs = new Map(cases.map((c) => [c.id, []]));
  const errors = new Map();
  for (let r = 0; r < repeats; r++) {
    for (const c of cases) {
      if (errors.has(c.id) || r >= Math.min(repeats, c.repeats ?? repeats)) continue;
      const t0 = Date.now();
      try {
        const raw = await measure(c.plan);
        const derived = scenario.derive(raw, c, p);
        runs.get(c.id).push(derived);
        log(
          `  ${c.id} run ${r + 1}: ${brief(derived)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
        );
      } catch (err) {
        failures++;
        const message = err instanceof Error ? err.message : String(err);
        errors.set(c.id, message);
        log(`  ${c.id} run ${r + 1} FAILED: ${message}`);
      }
    }
  }
  const results = Object.fromEntries(
    cases.map((c) => [
      c.id,
      {
        case: {
          id: c.id,
          server: c.server,
          label: c.label,
          offered: c.offered,
          ...(c.server === 'pulse' ? { gatewayEnv: c.plan.env } : {}),
        },
        runs: runs.get(c.id),
        median: runs.get(c.id).length ? deepMedian(runs.get(c.id)) : null,
        error: errors.get(c.id),
      },
    ]),
  );
  const rows = scenario
    .rows(results, p)
    .map((row) => ({ ...row, error: results[row.id]?.error ?? row.error }));
  const result = {
    scenario: scenario.name + serverNodeInfo.tag,
    serverNode: serverNodeInfo.version,
    order: SCENARIOS.indexOf(scenario) + 1,
    title: scenario.title,
    targets: scenario.targets,
    mode: opts.quick ? 'quick' : 'full',
    repeats,
    date: new Date().toISOString(),
    command,
    git,
    machine,
    params: p,
    rows,
    checks: scenario.checks(results, p),
    findings: scenario.findings?.(results, p) ?? [],
    results,
  };
  writeResults(outDir, result, { readme: outDir === RECORD_DIR ? README : undefined });
  process.stdout.write(`\n${scenario.name}\n${printTable(scenarioTable(result))}\n`);
  const checks = checksTable(result);
  if (checks) process.stdout.write(`${printTable(checks)}\n`);
  for (const f of result.findings) process.stdout.write(`- ${f}\n`);
}

log(
  `\nresults in ${relative(process.cwd(), outDir) || '.'}/ (SUMMARY.md, latest.json) — ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
process.exit(failures ? 1 : 0);

function brief(m) {
  const parts = [];
  if (m.deliveriesPerSec != null) parts.push(`${Math.round(m.deliveriesPerSec)} deliveries/s`);
  if (m.acksPerSec) parts.push(`${Math.round(m.acksPerSec)} acks/s`);
  if (m.cpuUsPerDelivery != null) parts.push(`${m.cpuUsPerDelivery} µs/delivery`);
  if (m.latencyMs?.p99 != null) parts.push(`p99 ${m.latencyMs.p99} ms`);
  if (m.serverCpuPct != null) parts.push(`CPU ${m.serverCpuPct} %`);
  if (m.loadgenCpuPct) parts.push(`loadgen ${m.loadgenCpuPct.join('/')} %`);
  return parts.join(', ');
}

/** Share of the machine busy over half a second, in percent. */
async function busyNow() {
  const a = machineCpu();
  await new Promise((r) => setTimeout(r, 500));
  return machineBusyPct(a, machineCpu());
}

function build() {
  log('building the gateway: npx turbo run build --filter=@pulse/gateway');
  const res = spawnSync(
    'npx',
    ['turbo', 'run', 'build', '--filter=@pulse/gateway', '--output-logs=errors-only'],
    {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 300_000,
    },
  );
  if (res.status !== 0) {
    log(
      `gateway build failed (exit ${res.status ?? res.signal}):\n${`${res.stdout}\n${res.stderr}`.trim().split('\n').slice(-30).join('\n')}`,
    );
    log('fix the build, or run with --no-build against the last built dist/');
    process.exit(1);
  }
}

/**
 * The node binary for the servers under test (--node PATH, or --node24 via `npx -y node@24`),
 * handed to orchestrate/servers.mjs through BENCH_SERVER_NODE; its version, and the tag the
 * result files get when it is not the runner's own node ('' then).
 */
function pickServerNode() {
  if (opts.node && opts.node24) {
    log('--node and --node24 name two binaries: pick one');
    process.exit(2);
  }
  let path = opts.node;
  if (opts.node24) {
    log('fetching node@24 through npx (cached after the first time)');
    path = execFileSync('npx', ['-y', 'node@24', '-p', 'process.execPath'], {
      encoding: 'utf8',
      timeout: 300_000,
    }).trim();
  }
  if (!path) return { version: process.version, tag: '' };
  let version;
  try {
    version = execFileSync(path, ['-p', 'process.version'], { encoding: 'utf8' }).trim();
  } catch (err) {
    log(`--node ${path} does not run: ${err instanceof Error ? err.message : err}`);
    process.exit(2);
  }
  process.env.BENCH_SERVER_NODE = path;
  log(`servers under test run on node ${version} (${path}); load generators on ${process.version}`);
  const major = version.replace(/^v/, '').split('.')[0];
  const same = major === process.version.replace(/^v/, '').split('.')[0];
  return { version, tag: same ? '' : `-node${major}` };
}

function gitInfo() {
  const git = (...args) => {
    try {
      return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  return {
    ...(GATEWAY_ROOT !== REPO_ROOT ? { gatewayRoot: GATEWAY_ROOT } : {}),
    commit: git('rev-parse', 'HEAD') || 'unknown',
    dirty:
      git('status', '--porcelain', '--', 'apps/gateway', 'packages/protocol', 'bench/src') !== '',
  };
}
