import { jwtVerify } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { createTokenSource, httpBaseFromWsUrl, tokenTtlSeconds } from './tokens.js';

describe('httpBaseFromWsUrl', () => {
  it('maps ws to http and wss to https, dropping the path', () => {
    expect(httpBaseFromWsUrl('ws://gw.example:9000/ws')).toBe('http://gw.example:9000');
    expect(httpBaseFromWsUrl('wss://pulse.example/ws?x=1')).toBe('https://pulse.example');
  });
});

describe('createTokenSource', () => {
  it('mints HS256 tokens with sub, role and a 24 h expiry when a secret is set', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>();
    const tokens = createTokenSource({ url: 'ws://h/ws', secret: 's3cret', fetch });
    const token = await tokens('device', 'dev-007')();
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode('s3cret'));
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload).toMatchObject({ sub: 'dev-007', role: 'device' });
    expect(payload.exp! - payload.iat!).toBe(24 * 3600);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('mints tokens no longer-lived than the gateway’s TOKEN_MAX_TTL, and refreshes them halfway', async () => {
    let clock = 0;
    const tokens = createTokenSource({
      url: 'ws://h/ws',
      secret: 's3cret',
      ttlSeconds: tokenTtlSeconds('30m'),
      now: () => clock,
    });
    const get = tokens('device', 'dev-007');
    const first = get();
    const { payload } = await jwtVerify(await first, new TextEncoder().encode('s3cret'));
    expect(payload.exp! - payload.iat!).toBe(1800);
    clock = 899_999;
    expect(get()).toBe(first); // cached
    clock = 900_000;
    expect(get()).not.toBe(first); // minted anew after half the lifetime
    expect([tokenTtlSeconds(undefined), tokenTtlSeconds('7d'), tokenTtlSeconds('90')]).toEqual([
      86400, 86400, 90,
    ]);
  });

  it('fetches a dev token from the gateway without a secret, and caches it', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>(async () => Response.json({ token: 'tok-1' }));
    const tokens = createTokenSource({ url: 'ws://gw.example:9000/ws', fetch });
    const get = tokens('feed', 'feed-1');
    expect(await get()).toBe('tok-1');
    expect(await get()).toBe('tok-1');
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch).toHaveBeenCalledWith(
      'http://gw.example:9000/auth/dev-token?role=feed&sub=feed-1',
    );
  });

  it('explains a 404 (production gateway) and does not cache failures', async () => {
    const onError = vi.fn();
    const fetch = vi
      .fn<typeof globalThis.fetch>()
      .mockResolvedValueOnce(new Response('not found', { status: 404 }))
      .mockResolvedValueOnce(Response.json({ token: 'tok-2' }));
    const get = createTokenSource({ url: 'ws://h:1/ws', fetch, onError })('device', 'dev-001');
    await expect(get()).rejects.toThrow(/production mode\? Set JWT_SECRET/);
    expect(onError).toHaveBeenCalledTimes(1);
    expect(await get()).toBe('tok-2');
  });

  it('reports an unreachable gateway clearly', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>(async () => {
      throw new TypeError('fetch failed');
    });
    const get = createTokenSource({ url: 'ws://h:1/ws', fetch })('device', 'dev-001');
    await expect(get()).rejects.toThrow(
      'cannot reach http://h:1/auth/dev-token?role=device&sub=dev-001: fetch failed',
    );
  });
});
