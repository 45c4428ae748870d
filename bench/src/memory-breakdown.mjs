#!/usr/bin/env node
// Where a fresh server's memory goes: starts Pulse and the baseline the way the benchmark does
// (servers.mjs), waits, and prints RSS split into file-backed and anonymous pages (/proc) next to
// the V8 heap spaces the process reports itself (memory-report.mjs). Extra Node flags for the
// servers come from BENCH_SERVER_NODE_ARGS, e.g. `--max-semi-space-size=1`, to weigh a flag.
//
//   node bench/src/memory-breakdown.mjs [--starts 3] [--settle-ms 1500]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { killAll } from './orchestrate/children.mjs';
import { startServer } from './orchestrate/servers.mjs';

const { values } = parseArgs({
  options: {
    starts: { type: 'string', default: '3' },
    'settle-ms': { type: 'string', default: '1500' },
  },
});
const REPORT = new URL('./memory-report.mjs', import.meta.url).href;
process.env.BENCH_SERVER_NODE_ARGS = `${process.env.BENCH_SERVER_NODE_ARGS ?? ''} --import ${REPORT}`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const statusMb = (pid, key) => {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`${key}:\\s+(\\d+)`));
  return m ? Math.round(Number(m[1]) / 102.4) / 10 : null;
};

async function breakdown(kind) {
  const server = await startServer(kind, kind === 'pulse' ? { HISTORY: 'off' } : {});
  try {
    await sleep(Number(values['settle-ms']));
    const proc = {
      rss: statusMb(server.pid, 'VmRSS'),
      file: statusMb(server.pid, 'RssFile'),
      anon: statusMb(server.pid, 'RssAnon'),
    };
    server.child.kill('SIGUSR2');
    const deadline = Date.now() + 5000;
    let line;
    while (
      !(line = server
        .tail(50)
        .split('\n')
        .find((l) => l.startsWith('MEMREPORT ')))
    ) {
      if (Date.now() > deadline) throw new Error(`${kind}: no MEMREPORT line`);
      await sleep(50);
    }
    return { kind, ...proc, ...JSON.parse(line.slice('MEMREPORT '.length)) };
  } finally {
    await server.stop();
  }
}

try {
  for (let i = 0; i < Number(values.starts); i++)
    for (const kind of ['pulse', 'baseline']) console.log(JSON.stringify(await breakdown(kind)));
} finally {
  killAll();
}
