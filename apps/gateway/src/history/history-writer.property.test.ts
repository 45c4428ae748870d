import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusMessage } from '../bus/bus-message.js';
import { HistoryStore } from './history-store.js';
import { HistoryWriter } from './history-writer.js';
import { openPglite } from './pglite-port.js';
import type { SqlPort } from './sql-port.js';

const DAY = 86_400_000;
const quiet = { warn: () => undefined, log: () => undefined };

/**
 * The real embedded engine behind a switch that makes statements fail the way a lost
 * connection does (no SQLSTATE), or, once, fail after the write was done (an unknown outcome).
 */
function switchable(port: SqlPort) {
  const state = { down: false, failAfterWrite: false };
  const sql: SqlPort = {
    ...port,
    async query<T>(text: string, params?: readonly unknown[]) {
      if (state.down) throw new Error('connect ECONNREFUSED');
      const rows = await port.query<T>(text, params);
      if (state.failAfterWrite) {
        state.failAfterWrite = false;
        throw new Error('connection lost after the statement ran');
      }
      return rows;
    },
    exec: (text) =>
      state.down ? Promise.reject(new Error('connect ECONNREFUSED')) : port.exec(text),
    close: async () => undefined,
  };
  return { sql, state };
}

/** One step of a run: publish n messages, or the store goes down / comes back / fails once. */
const stepArb = fc.oneof(
  fc.record({ publish: fc.integer({ min: 1, max: 40 }) }),
  fc.constantFrom({ down: true }, { down: false }, { unknown: true }),
);

// PGlite starts in seconds, and slower on a busy machine: more room than the suite's 20 s.
describe('HistoryWriter on a store that comes and goes', { timeout: 40_000 }, () => {
  let db: SqlPort;
  beforeAll(async () => {
    db = await openPglite();
  });
  afterAll(() => db?.close());

  it('stores every recorded point exactly once when the buffer never fills', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { maxLength: 12 }), async (steps) => {
        const { sql, state } = switchable(db);
        const store = new HistoryStore(sql);
        await store.migrate();
        await sql.exec('TRUNCATE history_raw, history_1m, history_1h');
        const writer = new HistoryWriter(
          store,
          {
            bufferMax: 100_000,
            batchMax: 7,
            flushMs: 10,
            retention: { rawMs: DAY, minuteMs: DAY, hourMs: DAY },
          },
          quiet,
        );
        writer.start();
        let seq = 0;
        for (const step of steps) {
          if ('publish' in step) {
            for (let i = 0; i < step.publish; i++) {
              seq += 1;
              const ts = Date.now() - 1000;
              writer.record(
                new BusMessage('device.d1.t', seq, 'e1', ts, { value: seq, unit: 'C', ts }),
              );
            }
          } else if ('down' in step) state.down = step.down === true;
          else state.failAfterWrite = true;
          await new Promise((r) => setTimeout(r, 5));
        }
        state.down = false;
        expect(await writer.drain(5000)).toBe(true);
        state.failAfterWrite = false; // an armed failure with nothing left to write
        const [row] = await sql.query<{ n: number; d: number; rolled: number }>(
          `SELECT count(*)::int AS n, count(DISTINCT seq)::int AS d,
             (SELECT coalesce(sum(count), 0)::int FROM history_1m) AS rolled FROM history_raw`,
        );
        expect(row).toEqual({ n: seq, d: seq, rolled: seq });
        await writer.close();
      }),
      { numRuns: 25 },
    );
  });
});
