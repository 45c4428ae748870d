import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.js';

describe('loadConfig', () => {
  it('has working defaults for development', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      env: 'development',
      port: 8080,
      heartbeatMs: 15000,
      historySize: 1000,
      devTokens: true,
      jwtSecretGenerated: true,
    });
  });

  it('names the variable and what is allowed when a value is bad', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(
      /PORT="eighty": must be a whole number from 0 to 65535/,
    );
    expect(() => loadConfig({ HISTORY_SIZE: '0' })).toThrow(/HISTORY_SIZE="0": must be at least 1/);
    expect(() => loadConfig({ NODE_ENV: 'staging' })).toThrow(
      /NODE_ENV="staging": must be development, production or test/,
    );
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET.*at least 32 characters/);
  });

  it('refuses to start in production without a secret or with dev tokens', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() =>
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), DEV_TOKENS: 'true' }),
    ).toThrow(/DEV_TOKENS/);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }).devTokens).toBe(
      false,
    );
  });
});
