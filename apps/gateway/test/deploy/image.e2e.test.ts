import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SUBPROTOCOL } from '@pulse/protocol';
import { signToken } from '../../src/auth/token.service.js';
import { TEST_SECRET } from '../gateway-resource.js';
import { deployedGateway } from './deployed-gateway.js';
import { execForm, readDockerfile } from './dockerfile.js';
import { exited, run, startGatewayProcess } from './processes.js';

/**
 * No Docker engine runs here or in CI, so the Dockerfile is checked two ways: its shape
 * (what a production image must carry), and its steps: the build stage's RUN lines on a clean
 * copy of the repository (deployed-gateway.ts), then the image's ENV, CMD and HEALTHCHECK
 * against the folder they produce.
 */
const steps = readDockerfile();
const stages = Math.max(...steps.map((s) => s.stage)) + 1;
const final = steps.filter((s) => s.stage === stages - 1);
const last = (op: string) => final.filter((s) => s.op === op).at(-1)?.args ?? '';
const healthcheck = () => execForm(last('HEALTHCHECK').replace(/^.*?CMD /, ''));
const imageEnv = () => {
  const env: Record<string, string> = {};
  for (const e of final.filter((s) => s.op === 'ENV'))
    for (const [, k, v] of e.args.matchAll(/(\w+)=(\S+)/g)) env[k!] = v!;
  return env;
};

describe('Dockerfile', () => {
  it('builds in one stage and runs the current Node LTS as a non-root user in another', () => {
    expect(stages).toBeGreaterThanOrEqual(2);
    for (const from of steps.filter((s) => s.op === 'FROM'))
      expect(from.args).toMatch(/^node:24-alpine\b/);
    expect(steps.some((s) => s.op === 'RUN' && /deploy --prod/.test(s.args))).toBe(true);
    // The final stage copies the deployed folder only, never the build context.
    const copies = final.filter((s) => s.op === 'COPY');
    expect(copies.length).toBeGreaterThan(0);
    expect(copies.every((s) => s.args.startsWith('--from='))).toBe(true);
    expect(last('USER')).toBe('node');
    expect(imageEnv()).toMatchObject({ NODE_ENV: 'production', HOST: '0.0.0.0', PORT: '8080' });
  });

  it('runs node directly (exec form: SIGTERM reaches it) and checks readiness', () => {
    expect(execForm(last('CMD'))).toEqual(['node', 'dist/main.js']);
    expect(last('HEALTHCHECK')).toMatch(/^--interval=\S+ .*CMD \[/);
    expect(healthcheck()?.join(' ')).toContain('/health/ready');
  });

  it('its build steps give a folder that starts, passes HEALTHCHECK, and drains on SIGTERM', async () => {
    const { app, steps: timed } = await deployedGateway();
    for (const s of timed) console.log(`[image] ${s.ms} ms: RUN ${s.run.slice(0, 70)}…`);
    const [cmd, entry] = execForm(last('CMD'))!;
    expect(cmd).toBe('node');
    // The image's environment, on loopback, a free port and without MQTT here (the image's
    // own values are checked above).
    const { PORT: _imagePort, ...fromImage } = imageEnv();
    const env = { ...fromImage, HOST: '127.0.0.1', MQTT_PORT: 'off' };
    const gw = await startGatewayProcess('image', env, join(app, entry!));
    try {
      const [hc, ...hcArgs] = healthcheck()!;
      await run(hc === 'node' ? process.execPath : hc!, hcArgs, app, {
        PATH: process.env.PATH,
        PORT: String(gw.port),
      });

      // SIGTERM reaches the gateway's own handler: its clients get 1012, then it exits.
      const token = await signToken(
        new TextEncoder().encode(TEST_SECRET),
        { sub: 'op', role: 'operator' },
        60,
      );
      const ws = new WebSocket(`ws://127.0.0.1:${gw.port}/ws?token=${token}`, [SUBPROTOCOL.json]);
      await new Promise((r) => ws.once('message', r)); // welcome
      const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
      gw.proc.kill('SIGTERM');
      expect(await closed).toBe(1012);
      await exited(gw.proc);
    } finally {
      await gw.stop();
    }
  }, 180_000);
});
