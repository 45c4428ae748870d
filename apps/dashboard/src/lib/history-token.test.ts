import { describe, expect, it } from 'vitest';
import { cachedToken } from './history-token.js';

describe('cachedToken', () => {
  it('shares one token until it is old, fails, or a fresh one is asked for', async () => {
    let n = 0;
    let clock = 0;
    let fail = false;
    const token = cachedToken(
      () => (fail ? Promise.reject(new Error('down')) : Promise.resolve(`t${++n}`)),
      1000,
      () => clock,
    );
    expect(await Promise.all([token(), token(), token()])).toEqual(['t1', 't1', 't1']);
    expect(await token(true)).toBe('t2');
    clock = 1500;
    expect(await token()).toBe('t3');
    fail = true;
    clock = 3000;
    await expect(token()).rejects.toThrow('down');
    fail = false;
    expect(await token()).toBe('t4');
  });
});
