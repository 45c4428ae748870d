import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Thrown when another live process holds the data directory. */
export class DataDirLocked extends Error {
  override readonly name = 'DataDirLocked';
}

/**
 * An exclusive lock on the embedded engine's directory: a `pulse.lock` file holding the owner's
 * pid, created with O_EXCL. PGlite has no lock of its own, and two processes writing one
 * PostgreSQL data directory corrupt it. A lock left by a dead process is taken over. A second
 * gateway in the same process is refused too (same pid, alive).
 */
export function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'pulse.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && alive(owner))
        throw new DataDirLocked(
          `DATA_DIR ${dir} is in use by process ${owner}: give each gateway its own DATA_DIR, or share a PostgreSQL (DATABASE_URL)`,
        );
      rmSync(file, { force: true }); // stale: its owner is gone
    }
  }
  throw new DataDirLocked(`DATA_DIR ${dir}: could not take ${file}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
