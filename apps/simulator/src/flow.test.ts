import { describe, expect, it } from 'vitest';
import { DEFAULT_PAUSE_MS, FlowControl, MIN_RATE_FACTOR } from './flow.js';

describe('FlowControl', () => {
  it('sends at the base interval when nothing was said', () => {
    const flow = new FlowControl(100);
    expect(flow.isPaused(0)).toBe(false);
    expect(flow.nextDelay(0)).toBe(100);
  });

  it('pauses for retryAfterMs after RATE_LIMITED, then resumes', () => {
    const flow = new FlowControl(100);
    expect(flow.rateLimited(750, 1000)).toBe(1750);
    expect(flow.isPaused(1000)).toBe(true);
    expect(flow.isPaused(1749)).toBe(true);
    expect(flow.nextDelay(1200)).toBe(550);
    expect(flow.isPaused(1750)).toBe(false);
    expect(flow.nextDelay(1750)).toBe(100);
  });

  it('never shortens a pause and falls back to 1 s without a hint', () => {
    const flow = new FlowControl(100);
    flow.rateLimited(2000, 0);
    flow.rateLimited(100, 500);
    expect(flow.isPaused(1999)).toBe(true);
    const other = new FlowControl(100);
    other.rateLimited(undefined, 0);
    expect(other.isPaused(DEFAULT_PAUSE_MS - 1)).toBe(true);
    expect(other.isPaused(DEFAULT_PAUSE_MS)).toBe(false);
  });

  it('halves the rate for retryAfterMs on SLOW_DOWN, then restores it', () => {
    const flow = new FlowControl(100);
    flow.slowDown(3000, 0);
    expect(flow.rateFactor(0)).toBe(0.5);
    expect(flow.nextDelay(2999)).toBe(200);
    expect(flow.nextDelay(3000)).toBe(100);
  });

  it('defaults the slow-down window to 1 s', () => {
    const flow = new FlowControl(100);
    flow.slowDown(undefined, 0);
    expect(flow.nextDelay(999)).toBe(200);
    expect(flow.nextDelay(1000)).toBe(100);
  });

  it('repeated notices compound down to a floor, and a later slow-down starts from full rate', () => {
    const flow = new FlowControl(100);
    for (let i = 0; i < 10; i++) flow.slowDown(1000, i);
    expect(flow.rateFactor(10)).toBe(MIN_RATE_FACTOR);
    flow.slowDown(1000, 5000);
    expect(flow.rateFactor(5000)).toBe(0.5);
  });
});
