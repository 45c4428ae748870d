// Builds the console for production and serves it with `vite preview`, proxying /ws, /auth
// and /health to a gateway, on a free port. Shared by the browser tests and the benchmark.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dashboard = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const vite = join(dashboard, 'node_modules', '.bin', 'vite');

/** A port free right now on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Runs `cmd` to completion; rejects with its output when it fails.
 * @param {string} cmd @param {string[]} args @param {NodeJS.ProcessEnv} env
 */
function run(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: dashboard, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(undefined)
        : reject(new Error(`${cmd} ${args.join(' ')} failed:\n${output}`)),
    );
  });
}

/**
 * Waits until `url` answers 200.
 * @param {string} url @param {number} timeoutMs
 */
async function waitForHttp(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A production build of the console served by `vite preview` in front of `gatewayUrl`.
 * @param {string} gatewayUrl e.g. http://127.0.0.1:18080
 * @returns {Promise<{ url: string, close(): Promise<void> }>}
 */
export async function serveConsole(gatewayUrl) {
  const outDir = mkdtempSync(join(tmpdir(), 'pulse-console-'));
  const env = { ...process.env, PULSE_GATEWAY_URL: gatewayUrl, NODE_ENV: 'production' };
  await run(vite, ['build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], env);
  const port = await freePort();
  const preview = spawn(
    vite,
    ['preview', '--outDir', outDir, '--port', String(port), '--strictPort', '--host', '127.0.0.1'],
    { cwd: dashboard, env, stdio: 'ignore' },
  );
  const exited = new Promise((resolve) => preview.once('exit', resolve));
  const url = `http://127.0.0.1:${port}/`;
  await waitForHttp(url, 20_000);
  return {
    url,
    async close() {
      if (preview.exitCode === null) preview.kill('SIGTERM');
      await exited;
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
