import { PGlite } from '@electric-sql/pglite';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, type PgliteThreadPort } from './pglite-port.js';
import { isDataError } from './sql-port.js';

/** Real work in the engine: a few hundred ms to seconds of WASM on this machine. */
const HEAVY = 'SELECT sum(sqrt(i))::float8 AS s FROM generate_series(1, 1500000) AS i';

/** The longest a 5 ms timer was late while `work` ran, and how long `work` took. */
async function lagDuring(work: () => Promise<unknown>): Promise<{ lag: number; took: number }> {
  let lag = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    lag = Math.max(lag, now - last - 5);
    last = now;
  }, 5);
  const started = performance.now();
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  // The last tick may be still due: count the time since it too.
  lag = Math.max(lag, performance.now() - last - 5);
  return { lag, took: performance.now() - started };
}

// PGlite starts in seconds, and slower on a busy machine: more room than the suite's 20 s.
describe('the embedded engine in its own thread', { timeout: 60_000 }, () => {
  let port: PgliteThreadPort;
  beforeAll(async () => {
    port = await openPglite();
  });
  afterAll(() => port?.close());

  it('runs a long statement without holding the caller’s event loop', async () => {
    const off = await lagDuring(() => port.query(HEAVY));
    // The same statement on this thread, to show the meter sees a held loop.
    const db = await PGlite.create();
    const on = await lagDuring(() => db.query(HEAVY));
    await db.close();
    expect(on.took).toBeGreaterThan(200);
    expect(on.lag).toBeGreaterThan(on.took * 0.7);
    expect(off.took).toBeGreaterThan(200);
    // A busy shared machine (other tests, other processes) delays timers too, but by far less
    // than the statement's length: held, the loop would be late by all of it.
    expect(off.lag, JSON.stringify({ off, on })).toBeLessThan(off.took / 4);
  });

  it('hands errors back with their SQLSTATE, and keeps serving after them', async () => {
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'no error',
        (e: unknown) => [(e as { code?: string }).code, isDataError(e)],
      );
    expect(await code(port.query('SELECT 1/0'))).toEqual(['22012', true]);
    expect(await code(port.query('SELEC 1'))).toEqual(['42601', true]);
    expect(await code(port.exec('SELECT * FROM no_such_table'))).toEqual(['42P01', true]);
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 12 }), async (s) => {
        const valid = /^\s*[+-]?\d+\s*$/.test(s) && Math.abs(Number(s)) < 2 ** 31;
        const got = await port.query<{ n: number }>('SELECT $1::int AS n', [s]).then(
          (rows) => rows[0]?.n,
          (e: unknown) => (e as { code?: string }).code,
        );
        // 22P02: not an integer; 22003: out of range; 22021: a NUL byte.
        if (valid) expect(got).toBe(Number(s));
        else expect(['22P02', '22003', '22021']).toContain(got);
      }),
      { numRuns: 60 },
    );
    expect(await port.query('SELECT 2 AS two')).toEqual([{ two: 2 }]);
  });

  it('fails the statements in flight as an outage (no SQLSTATE) when the thread dies', async () => {
    const mem = await openPglite();
    const inflight = mem.query(HEAVY);
    await mem.kill();
    const err = await inflight.catch((e: unknown) => e);
    expect(String(err)).toMatch(/embedded history engine thread exited/);
    expect(isDataError(err)).toBe(false);
    // In memory the data died with the thread: that port is not restarted.
    await expect(mem.query('SELECT 1')).rejects.toThrow(/thread exited/);
    await mem.close();
  });
});
