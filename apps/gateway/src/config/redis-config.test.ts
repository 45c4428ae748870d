import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';

describe('Redis configuration', () => {
  it('defaults to no Redis, with scaling settings ready for when it is set', () => {
    const c = loadConfig({});
    expect(c.redisUrl).toBeUndefined();
    expect(c.redisClusterNodes).toBeUndefined();
    expect(c).toMatchObject({
      redisKeyPrefix: 'pulse',
      redisHistoryTtlMs: 86_400_000,
      redisCommandTimeoutMs: 1000,
      presenceTtlMs: 15_000,
    });
  });

  it('reads cluster seed nodes, and refuses them together with REDIS_URL', () => {
    expect(
      loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,redis-b:7001' }).redisClusterNodes,
    ).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-b', port: 7001 },
    ]);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'nohost' })).toThrow(
      /REDIS_CLUSTER_NODES="nohost": must be host:port/,
    );
    expect(() =>
      loadConfig({ REDIS_URL: 'redis://a:6379', REDIS_CLUSTER_NODES: 'b:7000' }),
    ).toThrow(/either REDIS_URL or REDIS_CLUSTER_NODES/);
    expect(() => loadConfig({ REDIS_KEY_PREFIX: 'a{b}' })).toThrow(/REDIS_KEY_PREFIX/);
  });
});
