import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from './clock.js';
import { startReporter } from './report.js';
import { Stats, type Gauges } from './stats.js';

const gauges: Gauges = {
  devicesTotal: 50,
  devicesOnline: 49,
  devicesConnected: 48,
  feedConnected: true,
  symbols: 10,
};

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function reporter(tty: boolean, columns?: number) {
  const stats = new Stats();
  const out: string[] = [];
  const stop = startReporter({
    stats,
    gauges: () => gauges,
    clock: systemClock,
    write: (t) => out.push(t),
    tty,
    ...(columns !== undefined && { columns: () => columns }),
  });
  return { stats, out, stop };
}

describe('live stats reporter', () => {
  it('writes one line every 5 s to a log, with the send rate since the last line', async () => {
    const { stats, out, stop } = reporter(false);
    stats.sent = 3000;
    await vi.advanceTimersByTimeAsync(4999);
    expect(out).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^sent 600\/s \(3,000\) · .*devices 48\/50 · feed up · reconnects 0\n$/);
    stats.sent = 3500;
    stats.reject('RATE_LIMITED');
    stats.pauses = 1;
    await vi.advanceTimersByTimeAsync(5000);
    expect(out[1]).toMatch(
      /^sent 100\/s \(3,500\) · acked 0\/0 · rejected 1 \[RATE_LIMITED=1\] · .* · paused 1\n$/,
    );
    stop();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(out).toHaveLength(2);
  });

  it('redraws one line in place every second on a terminal, cut to its width', async () => {
    const { out, stop } = reporter(true, 40);
    await vi.advanceTimersByTimeAsync(3000);
    expect(out).toHaveLength(3);
    for (const line of out) {
      expect(line.startsWith('\r\x1b[2K')).toBe(true);
      expect(line.length - '\r\x1b[2K'.length).toBeLessThanOrEqual(39);
      expect(line.endsWith('…')).toBe(true);
    }
    stop();
    expect(out.at(-1)).toBe('\n');
  });
});
