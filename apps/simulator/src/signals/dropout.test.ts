import { describe, expect, it } from 'vitest';
import { Rng } from '../random.js';
import { Dropout, DROPOUT_DEFAULTS } from './dropout.js';

/** Runs one device for `minutes` at one update per `stepMs`. */
function simulate(p: number, minutes: number, stepMs = 1000, seed = 21) {
  const d = new Dropout(new Rng(seed), { probabilityPerMinute: p }, 0);
  let onlineMs = 0;
  let drops = 0;
  const offline: number[] = [];
  let wentAt = 0;
  for (let t = stepMs; t <= minutes * 60_000; t += stepMs) {
    if (d.online) onlineMs += stepMs;
    const change = d.update(t);
    if (change === 'went-offline') {
      drops++;
      wentAt = t;
    } else if (change === 'came-back') {
      offline.push(t - wentAt);
    }
  }
  return { drops, onlineMinutes: onlineMs / 60_000, offline };
}

describe('dropout', () => {
  it('drops out at the configured chance per online minute', () => {
    const p = 0.2;
    const { drops, onlineMinutes } = simulate(p, 20_000);
    // Constant hazard: P(at least one drop in a minute) = p  ⇔  rate = -ln(1 - p) per minute.
    const rate = drops / onlineMinutes;
    expect(rate).toBeGreaterThan(-Math.log(1 - p) * 0.9);
    expect(rate).toBeLessThan(-Math.log(1 - p) * 1.1);
  });

  it('does not depend on how often it is updated', () => {
    const coarse = simulate(0.2, 10_000, 5000);
    const fine = simulate(0.2, 10_000, 250);
    const rate = (r: ReturnType<typeof simulate>) => r.drops / r.onlineMinutes;
    expect(rate(coarse) / rate(fine)).toBeGreaterThan(0.85);
    expect(rate(coarse) / rate(fine)).toBeLessThan(1.15);
  });

  it('comes back after a bounded, plausibly long absence', () => {
    const { offline } = simulate(0.5, 10_000);
    expect(offline.length).toBeGreaterThan(1000);
    for (const ms of offline) {
      expect(ms).toBeGreaterThanOrEqual(DROPOUT_DEFAULTS.minOfflineMs);
      // Updates land on whole seconds, so a return is seen up to one step late.
      expect(ms).toBeLessThanOrEqual(DROPOUT_DEFAULTS.maxOfflineMs + 1000);
    }
    const mean = offline.reduce((s, x) => s + x, 0) / offline.length;
    expect(mean).toBeGreaterThan(12_000);
    expect(mean).toBeLessThan(20_000);
  });

  it('never drops with probability 0 and drops at once with probability 1', () => {
    expect(simulate(0, 1000).drops).toBe(0);
    const d = new Dropout(new Rng(1), { probabilityPerMinute: 1 }, 0);
    expect(d.update(1)).toBe('went-offline');
    expect(d.online).toBe(false);
    expect(d.backAtMs).toBeGreaterThan(1);
  });
});
