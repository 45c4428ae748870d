import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../redis/redis-server.js';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';

/** A PostgreSQL server of our own (initdb + pg_ctl) on a free port; never the shared 5432. */
export interface PostgresServer extends AsyncDisposable {
  readonly url: string;
  /** `pg_ctl stop -m fast`: connections are cut, the server is gone until `start`. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** One statement's rows, on a fresh connection. */
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  destroy(): Promise<void>;
}

/** PostgreSQL refuses to run as root: then everything runs as the `postgres` user. */
const asUser = (cmd: string, args: string[]) =>
  userInfo().uid === 0 ? run('runuser', ['-u', 'postgres', '--', cmd, ...args]) : run(cmd, args);

export async function startPostgres(): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-pg-'));
  if (userInfo().uid === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  await asUser(`${BIN}/initdb`, ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const pgctl = (...args: string[]) => asUser(`${BIN}/pg_ctl`, ['-D', data, ...args]);
  const start = async () => {
    await pgctl('-o', opts, '-l', join(dir, 'log'), '-w', 'start');
  };
  await start();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let running = true;
  const stop = async () => {
    await pgctl('-m', 'fast', '-w', 'stop');
  };
  const destroy = async () => {
    if (!running) return;
    running = false;
    await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  return {
    url,
    stop,
    start,
    async query<T>(sql: string, params: unknown[] = []) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query(sql, params)).rows as T[];
      } finally {
        await client.end();
      }
    },
    destroy,
    [Symbol.asyncDispose]: destroy,
  };
}
