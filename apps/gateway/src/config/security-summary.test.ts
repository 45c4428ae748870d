import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';
import { exposureWarning, securitySummary } from './security-summary.js';

const PROD = { NODE_ENV: 'production', JWT_SECRET: 's'.repeat(40) };

describe('securitySummary', () => {
  it('states the effective settings of production in one line, without secrets', () => {
    const config = loadConfig({
      ...PROD,
      HOST: '0.0.0.0',
      ALLOWED_ORIGINS: 'https://ops.example.com',
      METRICS_TOKEN: 'm'.repeat(20),
      TRUSTED_PROXIES: '10.0.0.0/8',
    });
    const line = securitySummary(config, 8080);
    expect(line).toBe(
      'security: NODE_ENV=production; bind 0.0.0.0:8080; origins https://ops.example.com + same-origin; ' +
        'dev tokens off; token max ttl 1d; metrics main port, admin tokens or METRICS_TOKEN; ' +
        'trusted proxies 10.0.0.0/8; JWT_SECRET set',
    );
    expect(line).not.toContain('s'.repeat(40));
    expect(line).not.toContain('m'.repeat(20));
  });

  it('says when a separate metrics port has no token', () => {
    const config = loadConfig({ ...PROD, METRICS_PORT: '9100' });
    const line = securitySummary(config, config.port);
    expect(line).toContain('metrics port 9100, OPEN (no METRICS_TOKEN)');
    expect(line).toContain(`bind 127.0.0.1:${config.port} (default)`);
  });
});

describe('exposureWarning', () => {
  it('warns about a development gateway bound beyond loopback, and only then', () => {
    expect(exposureWarning(loadConfig({}))).toBeUndefined();
    expect(exposureWarning(loadConfig({ HOST: 'localhost' }))).toBeUndefined();
    expect(exposureWarning(loadConfig({ ...PROD, HOST: '0.0.0.0' }))).toBeUndefined();
    expect(exposureWarning(loadConfig({ HOST: '0.0.0.0' }))).toMatch(
      /^HOST=0\.0\.0\.0: a development gateway is listening beyond this machine\. Dev tokens \(any role, admin included\)/,
    );
    expect(
      exposureWarning(loadConfig({ HOST: '::', DEV_TOKEN_CLIENTS: 'loopback,uniquelocal' })),
    ).toContain('DEV_TOKEN_CLIENTS=loopback,uniquelocal hands admin tokens to those networks');
  });
});
