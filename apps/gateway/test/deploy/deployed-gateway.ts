import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDockerfile } from './dockerfile.js';
import { run, waitUntil } from './processes.js';

/**
 * The gateway as the image has it, made without Docker: the Dockerfile's build-stage RUN
 * lines on a clean copy of the repository (its tracked files, as in `WORKDIR /src`), giving the
 * `pnpm deploy --prod` folder the final stage copies. Built once per test run and shared by
 * the deploy tests (the compile is the slow part): the first caller builds under a lock, the
 * others wait for it. `deploy-dir.ts` (global setup) gives the run its folder.
 */
const VAR = 'PULSE_TEST_DEPLOY_DIR';

export interface Deployed {
  /** The folder the final stage copies to /app: dist/, node_modules/, package.json. */
  readonly app: string;
  /** What each RUN step took, for the log. */
  readonly steps: readonly { readonly run: string; readonly ms: number }[];
}

export async function deployedGateway(): Promise<Deployed> {
  const base = process.env[VAR] ?? mkdtempSync(join(tmpdir(), 'pulse-deploy-'));
  const result = join(base, 'result.json');
  try {
    mkdirSync(join(base, 'lock'), { recursive: false });
  } catch {
    // Another test file is building it: wait for its result.
    await waitUntil(() => existsSync(result), 'the shared deploy build', 180_000);
    return parse(readFileSync(result, 'utf8'));
  }
  let outcome: Deployed | { error: string };
  try {
    outcome = await build(base);
  } catch (err) {
    outcome = { error: (err as Error).message };
  }
  writeFileSync(result, JSON.stringify(outcome));
  return parse(JSON.stringify(outcome));
}

function parse(text: string): Deployed {
  const r = JSON.parse(text) as Deployed | { error: string };
  if ('error' in r) throw new Error(`the Dockerfile's build steps failed: ${r.error}`);
  return r;
}

async function build(base: string): Promise<Deployed> {
  const src = join(base, 'src');
  rmSync(src, { recursive: true, force: true });
  mkdirSync(src);
  await run('sh', ['-c', `git ls-files -z | tar --null -T - -cf - | tar -xf - -C '${src}'`]);
  const steps: { run: string; ms: number }[] = [];
  for (const step of readDockerfile().filter((s) => s.stage === 0 && s.op === 'RUN')) {
    const started = Date.now();
    await run('sh', ['-c', step.args], src);
    steps.push({ run: step.args, ms: Date.now() - started });
  }
  // The Dockerfile deploys to ../deploy-out, beside WORKDIR /src.
  return { app: join(base, 'deploy-out'), steps };
}
