import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Vitest global setup: one folder per test run for the deploy build that the deploy tests
 * share (deployed-gateway.ts), removed at the end of the run.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-test-deploy-'));
  process.env.PULSE_TEST_DEPLOY_DIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
