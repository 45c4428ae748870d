// Loaded into a server under test with `--import` by memory-breakdown.mjs: on SIGUSR2 the
// process prints one `MEMREPORT {json}` line with its own view of its memory (V8 heap spaces,
// external, malloc), which /proc cannot tell apart.
import v8 from 'node:v8';

const mb = (n) => Math.round(n / 104857.6) / 10;

process.on('SIGUSR2', () => {
  const m = process.memoryUsage();
  const h = v8.getHeapStatistics();
  const spaces = Object.fromEntries(
    v8
      .getHeapSpaceStatistics()
      .filter((s) => s.space_size > 0)
      .map((s) => [s.space_name, { committed: mb(s.space_size), used: mb(s.space_used_size) }]),
  );
  const report = {
    heapTotal: mb(m.heapTotal),
    heapUsed: mb(m.heapUsed),
    external: mb(m.external),
    arrayBuffers: mb(m.arrayBuffers),
    mallocPeak: mb(h.peak_malloced_memory),
    spaces,
  };
  process.stdout.write(`MEMREPORT ${JSON.stringify(report)}\n`);
});
