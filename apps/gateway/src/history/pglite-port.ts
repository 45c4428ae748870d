import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { lockDataDir } from './data-dir-lock.js';
import type { SqlPort } from './sql-port.js';

/** Plain JS beside this file in src/ and in dist/ (see its header). */
const ENTRY = new URL('./pglite-worker.mjs', import.meta.url);

/** A statement's error from the engine's thread, with its SQLSTATE (`isDataError` reads it). */
export class PgliteError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}

/** The embedded engine behind a thread; `kill` ends the thread as a crash would (fault tests). */
export interface PgliteThreadPort extends SqlPort {
  kill(): Promise<void>;
}

type Request =
  | { op: 'open'; dataDir?: string }
  | { op: 'query'; sql: string; params: readonly unknown[] }
  | { op: 'exec'; sql: string }
  | { op: 'close' };

interface Answer {
  id: number;
  rows?: unknown[];
  error?: { message: string; code?: string; detail?: string };
}

/** One run of the worker thread: requests by id, all rejected at once if the thread ends. */
class EngineThread {
  // No `execArgv`: the process's preloads (`--import`) are not the engine's business, and one
  // (the bench's parent guard) exits on stdin's end, which in a thread comes at once.
  readonly worker = new Worker(ENTRY, { execArgv: [] });
  /** Set once the thread ended: why, for every request after. */
  dead: Error | undefined;
  private readonly pending = new Map<number, { ok(rows: unknown[]): void; fail(e: Error): void }>();
  private nextId = 1;
  private failure = '';

  constructor() {
    this.worker.on('message', (a: Answer) => {
      const p = this.pending.get(a.id);
      this.pending.delete(a.id);
      if (a.error) p?.fail(new PgliteError(a.error.message, a.error.code, a.error.detail));
      else p?.ok(a.rows ?? []);
    });
    // An uncaught error in the thread (a WASM abort, out of memory); `exit` follows.
    this.worker.on('error', (err) => (this.failure = `: ${err.message}`));
    this.worker.on('exit', (code) => {
      // No SQLSTATE: the writer takes it for an outage, keeps the batch and retries it.
      this.dead = new Error(`embedded history engine thread exited (code ${code})${this.failure}`);
      for (const p of this.pending.values()) p.fail(this.dead);
      this.pending.clear();
    });
  }

  request(req: Request): Promise<unknown[]> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((ok, fail) => {
      this.pending.set(id, { ok, fail });
      this.worker.postMessage({ id, ...req });
    });
  }
}

/**
 * The embedded engine (ADR 0005): PGlite, PostgreSQL in WASM, run in a worker thread so that
 * a long statement never holds the gateway's event loop; files in `dataDir/pgdata`, which is
 * locked first (PGlite does not stop a second process from opening it). Without `dataDir` the
 * database is in memory (tests).
 *
 * If the thread dies, the statements in flight fail as an outage (no SQLSTATE) and the next
 * statement starts a new thread on the same files, which PostgreSQL recovers from its WAL: a
 * statement that was cut off is either wholly in or wholly out, and the writer's retry stores
 * only what is missing (ON CONFLICT DO NOTHING). An in-memory database is gone with its thread,
 * so that port is not restarted: every later statement fails with the thread's end.
 */
export async function openPglite(dataDir?: string): Promise<PgliteThreadPort> {
  const dir = dataDir === undefined ? undefined : resolve(dataDir);
  const release = dir ? lockDataDir(dir) : () => undefined;
  const start = async (): Promise<EngineThread> => {
    const thread = new EngineThread();
    try {
      await thread.request(dir ? { op: 'open', dataDir: `${dir}/pgdata` } : { op: 'open' });
      return thread;
    } catch (err) {
      await thread.worker.terminate();
      throw err;
    }
  };
  let current: Promise<EngineThread>;
  try {
    current = Promise.resolve(await start());
  } catch (err) {
    release();
    throw err;
  }
  let closed: Promise<void> | undefined;
  const engine = async (): Promise<EngineThread> => {
    if (closed) throw new Error('embedded history engine closed');
    const seen = current;
    const thread = await seen.catch(() => undefined);
    if (thread && (!thread.dead || !dir)) return thread;
    // Dead, or its restart failed to open: one new thread for every caller that saw it so
    // (two threads on one data directory would corrupt it).
    if (current === seen) current = start();
    return current;
  };
  return {
    engine: 'pglite',
    query: async <T>(sql: string, params: readonly unknown[] = []) =>
      (await (await engine()).request({ op: 'query', sql, params })) as T[],
    exec: async (sql) => {
      await (await engine()).request({ op: 'exec', sql });
    },
    kill: async () => {
      await (await current.catch(() => undefined))?.worker.terminate();
    },
    close: () =>
      (closed ??= (async () => {
        const thread = await current.catch(() => undefined);
        try {
          // PGlite closed (files consistent) before the thread ends and the lock goes.
          await thread?.request({ op: 'close' }).catch(() => undefined);
          await thread?.worker.terminate();
        } finally {
          release();
        }
      })()),
  };
}
