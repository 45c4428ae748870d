// The orchestrator's handle on load-generator processes: fork, send a command, await its answer
// with a timeout, and merge their reports into one.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Histogram } from '../histogram.mjs';
import { stopChild, track } from './children.mjs';

const LOADGEN_MAIN = fileURLToPath(new URL('../loadgen.mjs', import.meta.url));

/** Forks `n` load generators (each a Node process with an IPC channel). */
export function startLoadgens(n) {
  return Array.from({ length: n }, () => {
    const child = track(
      fork(LOADGEN_MAIN, [], {
        stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
        serialization: 'advanced',
      }),
    );
    const stderr = [];
    child.stderr.on('data', (c) => {
      stderr.push(c.toString());
      if (stderr.length > 50) stderr.shift();
    });
    return { child, pid: child.pid, stderr };
  });
}

/** Sends `msg` and resolves with the next event named `evt` (rejects on error, exit or timeout). */
export function ask(lg, msg, evt, timeoutMs) {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      lg.child.off('message', onMessage);
      lg.child.off('exit', onExit);
    };
    const onMessage = (m) => {
      if (m.evt === evt) {
        cleanup();
        resolve(m);
      } else if (m.evt === 'error') {
        cleanup();
        reject(new Error(`load generator ${lg.pid}: ${m.message}`));
      }
    };
    const onExit = (code, signal) => {
      cleanup();
      reject(
        new Error(
          `load generator ${lg.pid} exited (${signal ?? code}) during ${msg.cmd}: ${lg.stderr.join('').slice(-2000)}`,
        ),
      );
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(
        new Error(`load generator ${lg.pid} did not answer ${msg.cmd} within ${timeoutMs} ms`),
      );
    }, timeoutMs);
    lg.child.on('message', onMessage);
    lg.child.once('exit', onExit);
    lg.child.send(msg);
  });
}

/** Asks each to close its sockets, then makes sure the processes are gone. */
export async function stopLoadgens(lgs) {
  await Promise.all(
    lgs.map(async (lg) => {
      if (lg.child.connected) await ask(lg, { cmd: 'close' }, 'closed', 5000).catch(() => {});
      await stopChild(lg.child, 2000);
    }),
  );
}

/** Merges several load generators' reports: windows by name, counts summed, lists joined. */
export function mergeReports(reports) {
  const windows = new Map();
  const totals = { deliveries: 0, frames: 0, outOfOrder: 0, errors: {}, notices: {}, closes: {} };
  const out = {
    windows: [],
    totals,
    publishers: [],
    checker: {},
    lastSeqs: [],
    openSubscribers: 0,
    operators: [],
    stalled: undefined,
    eventLoopDelayMs: [],
    quietAfterMs: 0,
    wentQuiet: true,
  };
  for (const r of reports) {
    for (const w of r.windows) {
      let m = windows.get(w.name);
      if (!m) {
        m = {
          name: w.name,
          start: w.start,
          end: w.end,
          deliveries: 0,
          frames: 0,
          batchFrames: 0,
          acks: 0,
          publishes: 0,
          latency: new Histogram(),
          ackLatency: new Histogram(),
          perSubscriber: [],
        };
        windows.set(w.name, m);
      }
      m.deliveries += w.deliveries;
      m.frames += w.frames;
      m.batchFrames += w.batchFrames;
      m.acks += w.acks;
      m.publishes += w.publishes;
      m.latency.add(w.latency);
      m.ackLatency.add(w.ackLatency);
      m.perSubscriber.push(...w.perSubscriber);
    }
    totals.deliveries += r.totals.deliveries;
    totals.frames += r.totals.frames;
    totals.outOfOrder += r.totals.outOfOrder;
    for (const k of ['errors', 'notices', 'closes']) {
      for (const [code, n] of Object.entries(r.totals[k]))
        totals[k][code] = (totals[k][code] ?? 0) + n;
    }
    out.publishers.push(...r.publishers);
    Object.assign(out.checker, r.checker);
    if (r.lastSeqs) out.lastSeqs.push(...r.lastSeqs);
    out.openSubscribers += r.openSubscribers;
    out.operators.push(...r.operators);
    out.stalled ??= r.stalled;
    out.eventLoopDelayMs.push({ pid: r.pid, ...r.eventLoopDelayMs });
    out.quietAfterMs = Math.max(out.quietAfterMs, r.quietAfterMs);
    out.wentQuiet &&= r.wentQuiet;
  }
  out.windows = [...windows.values()];
  return out;
}
