// @ts-check
// The embedded engine's thread (ADR 0005): PGlite runs here so that a long statement holds this
// thread's event loop, not the gateway's. Plain JavaScript, not TypeScript: the same file runs
// from dist/ (built) and from src/ under vitest, which does not transform worker threads.
// Protocol (pglite-port.ts is the other side): each request is {id, op, …}; each answer
// is {id, rows} or {id, error: {message, code}}. `open` comes first; once `close` is answered
// (PGlite closed, its files consistent) the port ends the thread.
import { parentPort } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

/** @type {PGlite | undefined} */
let db;

/**
 * @typedef {{ id: number, op: 'open', dataDir?: string }
 *   | { id: number, op: 'query', sql: string, params: unknown[] }
 *   | { id: number, op: 'exec', sql: string }
 *   | { id: number, op: 'close' }} Request
 */

/** @param {Request} req */
async function run(req) {
  switch (req.op) {
    case 'open':
      db = await PGlite.create(req.dataDir);
      return [];
    case 'query':
      return (await opened().query(req.sql, req.params)).rows;
    case 'exec':
      await opened().exec(req.sql);
      return [];
    case 'close':
      await db?.close();
      db = undefined;
      return [];
  }
}

function opened() {
  if (!db) throw new Error('PGlite worker: not open');
  return db;
}

/**
 * The fields an error keeps across the thread: structured clone drops an Error's own
 * properties, and the SQLSTATE `code` is what tells a data error from an outage.
 * @param {unknown} err
 */
function plain(err) {
  const e = /** @type {{ message?: unknown, code?: unknown, detail?: unknown }} */ (err ?? {});
  return {
    message: typeof e.message === 'string' ? e.message : String(err),
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.detail === 'string' ? { detail: e.detail } : {}),
  };
}

parentPort?.on('message', (/** @type {Request} */ req) => {
  run(req).then(
    (rows) => {
      parentPort?.postMessage({ id: req.id, rows });
    },
    (err) => parentPort?.postMessage({ id: req.id, error: plain(err) }),
  );
});
