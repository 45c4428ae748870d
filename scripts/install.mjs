// Installs the workspace with the pinned pnpm when node_modules is missing or older than the
// lockfile, so `npm start` / `npm test` work on a machine with only Node and npm.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function pnpmCommand() {
  const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager;
  return ['npx', ['--yes', pinned]];
}

export function ensureInstalled() {
  const marker = join(root, 'node_modules', '.modules.yaml');
  const lock = join(root, 'pnpm-lock.yaml');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  const [cmd, args] = pnpmCommand();
  const frozen = process.env.CI ? ['--frozen-lockfile'] : [];
  console.log(`[pulse] installing dependencies with ${args[1]} …`);
  const r = spawnSync(cmd, [...args, 'install', ...frozen], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('[pulse] install failed');
    process.exit(r.status ?? 1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureInstalled();
