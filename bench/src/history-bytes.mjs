// How many bytes a message held in the embedded bus's history really costs, against the
// estimate HISTORY_MEMORY_MAX_BYTES is enforced with (storedBytes in apps/gateway/src/bus/
// memory-bus.ts). Each measurement runs in a child process with --expose-gc: heap + external
// growth over 200,000 messages on 200 topics, after full collections. Three runs per payload,
// medians; writes bench/results/history-bytes.json with the commit.
//
//   node bench/src/history-bytes.mjs [--runs 3] [--no-build]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BUS = join(ROOT, 'apps', 'gateway', 'dist', 'bus', 'memory-bus.js');
const N = 200_000;
const PAYLOADS = {
  reading: 'i => ({ value: 20 + Math.random() * 5, unit: "C", ts: 1_700_000_000_000 + i })',
  tick: 'i => ({ bid: 100 + Math.random(), ask: 101 + Math.random(), last: 100.5, volume: Math.random() * 3, ts: 1_700_000_000_000 + i })',
};

if (process.argv[2] === '--child') {
  const [, , , kind] = process.argv;
  const { MemoryBus, storedBytes } = await import(pathToFileURL(BUS).href);
  const payload = eval(PAYLOADS[kind]);
  const used = () => {
    globalThis.gc();
    globalThis.gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.external;
  };
  const bus = new MemoryBus(1000);
  const before = used();
  let estimated = 0;
  for (let i = 0; i < N; i++) {
    estimated += storedBytes(await bus.publish(`device.d${i % 200}.temperature`, payload(i)));
  }
  const measured = used() - before;
  // bus.budget is read after the measurement so the bus stays alive until then.
  console.log(JSON.stringify({ measured: measured / N, estimated: estimated / N, held: bus.budget.messages }));
  process.exit(0);
}

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3;
if (!process.argv.includes('--no-build')) {
  execFileSync('npx', ['turbo', 'run', 'build', '--filter=@pulse/gateway...', '--output-logs=errors-only'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
for (const kind of Object.keys(PAYLOADS)) {
  const samples = [];
  for (let r = 0; r < runs; r++) {
    const out = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', kind], {
      encoding: 'utf8',
    });
    if (out.status !== 0) throw new Error(out.stderr);
    samples.push(JSON.parse(out.stdout.trim().split('\n').at(-1)));
  }
  const measured = median(samples.map((s) => s.measured));
  const estimated = median(samples.map((s) => s.estimated));
  results[kind] = { measured: Math.round(measured), estimated: Math.round(estimated), ratio: +(estimated / measured).toFixed(3), samples };
  console.log(`${kind}: measured ${Math.round(measured)} B/message, estimated ${Math.round(estimated)} (×${results[kind].ratio})`);
}
const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(
  join(ROOT, 'bench', 'results', 'history-bytes.json'),
  JSON.stringify({ date: new Date().toISOString(), commit, node: process.version, messages: N, runs, results }, null, 2) + '\n',
);
