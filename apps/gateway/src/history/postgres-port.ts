import pg from 'pg';
import type { SqlPort } from './sql-port.js';

/**
 * A PostgreSQL server (DATABASE_URL). The pool connects lazily and reconnects by itself, so a
 * database that is down at start or goes away later only fails statements, which the writer
 * retries; statement and connect timeouts keep a hung server from holding a flush forever.
 */
export function openPostgres(url: string): SqlPort {
  const pool = new pg.Pool({
    connectionString: url,
    max: 4,
    connectionTimeoutMillis: 2000,
    statement_timeout: 15_000,
    query_timeout: 20_000,
    idleTimeoutMillis: 10_000,
    application_name: 'pulse-gateway',
  });
  // An idle client that loses its server emits here; without a listener the process would die.
  pool.on('error', () => undefined);
  return {
    engine: 'postgres',
    query: async <T>(sql: string, params: readonly unknown[] = []) =>
      (await pool.query(sql, params as unknown[])).rows as T[],
    exec: async (sql) => {
      await pool.query(sql);
    },
    close: () => pool.end(),
  };
}
