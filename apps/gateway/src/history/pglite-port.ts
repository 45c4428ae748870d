import { PGlite } from '@electric-sql/pglite';
import { resolve } from 'node:path';
import { lockDataDir } from './data-dir-lock.js';
import type { SqlPort } from './sql-port.js';

/**
 * The embedded engine: PostgreSQL in WASM, in-process, files in `dataDir` (ADR 0005). The
 * directory is locked first: PGlite does not stop a second process from opening it.
 */
export async function openPglite(dataDir: string): Promise<SqlPort> {
  const dir = resolve(dataDir);
  const unlock = lockDataDir(dir);
  try {
    return pglitePort(await PGlite.create(`${dir}/pgdata`), unlock);
  } catch (err) {
    unlock();
    throw err;
  }
}

/** A PGlite database as a SqlPort (an in-memory one in tests); `release` runs after close. */
export function pglitePort(db: PGlite, release: () => void = () => undefined): SqlPort {
  return {
    engine: 'pglite',
    query: async <T>(sql: string, params: readonly unknown[] = []) =>
      (await db.query<T>(sql, params as unknown[])).rows,
    exec: async (sql) => {
      await db.exec(sql);
    },
    close: async () => {
      try {
        await db.close();
      } finally {
        release();
      }
    },
  };
}
