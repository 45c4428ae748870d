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
  let db: PGlite;
  try {
    db = await PGlite.create(`${dir}/pgdata`);
  } catch (err) {
    unlock();
    throw err;
  }
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
        unlock();
      }
    },
  };
}
