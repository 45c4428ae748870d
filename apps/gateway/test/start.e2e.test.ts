import { describe, expect, it } from 'vitest';
import { run } from '../src/bootstrap.js';

/** What `node dist/main.js` would print and exit with. */
async function start(env: Record<string, string>) {
  const lines: string[] = [];
  let exitCode: number | undefined;
  const app = await run(env, { error: (l) => lines.push(l), exit: (c) => (exitCode = c) });
  return { app, exitCode, stderr: lines.join('\n') };
}

const GOOD = {
  NODE_ENV: 'production',
  JWT_SECRET: 'a-production-secret-of-32-chars!!',
  PORT: '0',
  MQTT_PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'silent',
  // Not the embedded store in the working directory (another test file may hold its lock).
  HISTORY: 'off',
};

describe('start', () => {
  it('refuses to start in production without a secret, naming the variable', async () => {
    const { app, exitCode, stderr } = await start({ NODE_ENV: 'production', PORT: '0' });
    expect(app).toBeUndefined();
    expect(exitCode).toBe(2);
    expect(stderr).toBe(
      'pulse gateway: invalid configuration:\n  JWT_SECRET: required when NODE_ENV=production (at least 32 characters)',
    );
  });

  it('stops on bad values with one line per variable saying what is allowed', async () => {
    const { app, exitCode, stderr } = await start({
      ...GOOD,
      PORT: 'eighty',
      MAX_CONNECTIONS_PER_IP: '0',
      ALLOWED_ORIGINS: 'ops.example.com',
      TOPIC_POLICIES: 'price.*=fast',
    });
    expect(app).toBeUndefined();
    expect(exitCode).toBe(2);
    expect(stderr).toContain('PORT="eighty": must be a whole number from 0 to 65535');
    expect(stderr).toContain('MAX_CONNECTIONS_PER_IP="0": must be at least 1');
    expect(stderr).toContain(
      'ALLOWED_ORIGINS="ops.example.com": "ops.example.com" is not an origin',
    );
    expect(stderr).toContain(
      'TOPIC_POLICIES="price.*=fast": "price.*=fast" is not pattern=rate:conflate|aggregate',
    );
    expect(stderr).not.toMatch(/\bat .*\.(js|ts):\d+/);
  });

  it('starts with a good production environment, and serves no dev tokens', async () => {
    const { app, exitCode } = await start(GOOD);
    expect(exitCode).toBeUndefined();
    try {
      const { port } = app!.getHttpServer().address() as { port: number };
      expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/auth/dev-token?role=admin&sub=x`)).status).toBe(
        404,
      );
    } finally {
      await app!.close();
    }
  });
});
