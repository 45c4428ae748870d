/**
 * The little SQL the history store needs, behind one interface so the same statements run on
 * the embedded engine (PGlite: PostgreSQL compiled to WASM) and on a real PostgreSQL server.
 */
export interface SqlPort {
  readonly engine: 'pglite' | 'postgres';
  /** Rows of one parameterised statement ($1, $2, …). */
  query<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Several statements without parameters (schema). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * SQLSTATE classes that say the statement itself is wrong for this data (22 data exception,
 * 23 integrity violation, 42 syntax/undefined object): retrying the same batch cannot help.
 * Anything else (connection refused, admin shutdown, timeouts) is an outage worth waiting out.
 */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|42)/.test(code);
}
