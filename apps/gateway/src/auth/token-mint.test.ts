import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { cliArgs, mintFromArgs, parseTtl } from './token-mint.js';

const env = { JWT_SECRET: 'a-secret-of-at-least-thirty-two-chars' };

describe('token CLI', () => {
  it('takes its arguments after the `--` that `pnpm run token --` forwards', () => {
    expect(cliArgs(['node', 'cli', '--', '--role', 'device'])).toEqual(['--role', 'device']);
    expect(cliArgs(['node', 'cli', '--role', 'device'])).toEqual(['--role', 'device']);
  });

  it('mints a token the gateway accepts, with ttl and allow-list', async () => {
    const r = await mintFromArgs(
      ['--role', 'device', '--sub', 'dev-7', '--ttl', '1h', '--topics', 'device.dev-7.*'],
      env,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const { payload } = await jwtVerify(r.token, new TextEncoder().encode(env.JWT_SECRET));
    expect(payload).toMatchObject({ sub: 'dev-7', role: 'device', topics: ['device.dev-7.*'] });
    expect(payload.exp! - payload.iat!).toBe(3600);
  });

  it.each([
    [['--role', 'root', '--sub', 'x'], env, /role: role must be one of/],
    [['--role', 'device', '--sub', 'a.b'], env, /sub: sub must be/],
    [['--role', 'device', '--sub', 'x', '--ttl', 'soon'], env, /--ttl must look like/],
    [['--role', 'device', '--sub', 'x', '--topics', 'price.*.*'], env, /topics/],
    [['--role', 'device', '--sub', 'x', '--bogus'], env, /Unknown option/],
    [['--role', 'device', '--sub', 'x'], {}, /JWT_SECRET must be set/],
    [
      ['--role', 'device', '--sub', 'x', '--ttl', '7d'],
      env,
      /longer than TOKEN_MAX_TTL \(86400 s\)/,
    ],
    [
      ['--role', 'device', '--sub', 'x', '--ttl', '2h'],
      { ...env, TOKEN_MAX_TTL: '1h' },
      /longer than TOKEN_MAX_TTL \(3600 s\)/,
    ],
  ])('explains what is wrong with %j', async (args, e, message) => {
    const r = await mintFromArgs(args, e);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });

  it('reads ttl units', () => {
    expect([
      parseTtl('90'),
      parseTtl('90s'),
      parseTtl('30m'),
      parseTtl('1h'),
      parseTtl('7d'),
    ]).toEqual([90, 90, 1800, 3600, 604800]);
    expect(parseTtl('1w')).toBeUndefined();
  });
});
