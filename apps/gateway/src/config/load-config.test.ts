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
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'https://a.example/app' })).toThrow(
      /ALLOWED_ORIGINS=.*no path/,
    );
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'a.example' })).toThrow(/ALLOWED_ORIGINS=.*origin/);
    expect(() => loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8, balancer' })).toThrow(
      /TRUSTED_PROXIES=.*invalid IP address: balancer/,
    );
    expect(loadConfig({ TRUSTED_PROXIES: 'loopback, 10.0.0.0/8' }).trustedProxies).toEqual([
      'loopback',
      '10.0.0.0/8',
    ]);
    expect(() => loadConfig({ MAX_CONNECTIONS: '-1' })).toThrow(/MAX_CONNECTIONS="-1": must be/);
    expect(() => loadConfig({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT.*at most 65535/);
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN.*16 characters/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL="loud": must be one of/);
  });

  it('binds to loopback unless HOST is set, and caps token lifetime at 24 h by default', () => {
    expect(loadConfig({})).toMatchObject({ host: '127.0.0.1', hostExplicit: false });
    expect(loadConfig({ HOST: '0.0.0.0' })).toMatchObject({ host: '0.0.0.0', hostExplicit: true });
    expect(loadConfig({}).tokenMaxTtlS).toBe(86_400);
    expect(loadConfig({ TOKEN_MAX_TTL: '90m' }).tokenMaxTtlS).toBe(5400);
    expect(() => loadConfig({ TOKEN_MAX_TTL: 'forever' })).toThrow(
      /TOKEN_MAX_TTL="forever": must be a duration/,
    );
    expect(loadConfig({}).devTokenClients).toEqual(['loopback']);
    expect(() => loadConfig({ DEV_TOKEN_CLIENTS: 'everyone' })).toThrow(/DEV_TOKEN_CLIENTS=/);
  });

  it('allows pages from this machine in development and only listed (or same-origin) ones elsewhere', () => {
    expect(loadConfig({}).allowedOrigins).toEqual({
      any: false,
      loopback: true,
      origins: new Set(),
    });
    const prod = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) });
    expect(prod.allowedOrigins).toEqual({ any: false, loopback: false, origins: new Set() });
    const listed = loadConfig({
      ALLOWED_ORIGINS: 'https://ops.example.com, http://localhost:5173/',
    });
    expect([...listed.allowedOrigins.origins]).toEqual([
      'https://ops.example.com',
      'http://localhost:5173',
    ]);
  });

  it('refuses to start in production without a secret or with dev tokens', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /JWT_SECRET: required when NODE_ENV=production/,
    );
    // Only development generates a secret; tests and staging-like setups must name theirs.
    expect(() => loadConfig({ NODE_ENV: 'test' })).toThrow(/JWT_SECRET: required/);
    expect(() =>
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), DEV_TOKENS: 'true' }),
    ).toThrow(/DEV_TOKENS/);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }).devTokens).toBe(
      false,
    );
  });

  it('bridges an external MQTT broker only when MQTT_BRIDGE_URL is set, with a stable client id', () => {
    expect(loadConfig({}).mqttBridge).toBeUndefined();
    expect(loadConfig({ MQTT_BRIDGE_URL: 'mqtt://broker:1883', PORT: '8081' }).mqttBridge).toEqual({
      url: 'mqtt://broker:1883',
      shareGroup: 'pulse',
      clientId: expect.stringMatching(/^pulse-.+-8081$/) as unknown,
      sessionExpiryS: 3600,
    });
    expect(
      loadConfig({ MQTT_BRIDGE_URL: 'mqtts://b:8883', SERVER_ID: 'gw1' }).mqttBridge?.clientId,
    ).toBe('pulse-gw1');
    expect(() => loadConfig({ MQTT_BRIDGE_URL: 'http://broker' })).toThrow(
      /MQTT_BRIDGE_URL="http:\/\/broker": must be mqtt:\/\/host:port/,
    );
    expect(() => loadConfig({ MQTT_BRIDGE_SHARE_GROUP: 'a/b' })).toThrow(/MQTT_BRIDGE_SHARE_GROUP/);
  });
});
