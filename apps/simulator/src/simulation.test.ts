import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseFlags } from './flags.js';
import { Simulation } from './simulation.js';
import { formatLive, formatSummary } from './stats.js';
import { fakeOpener } from './testing/fake-opener.js';

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2025, 0, 1) });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Simulation', () => {
  it('runs the fleet, reports gauges, and closes every connection on stop', async () => {
    const { open, connections } = fakeOpener();
    const config = parseFlags([
      '--devices',
      '5',
      '--symbols',
      '2',
      '--dropout',
      '0',
      '--seed',
      '1',
    ]);
    const sim = new Simulation(config, { open });
    sim.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(connections.map((c) => c.sub)).toEqual([
      'feed-1',
      'dev-001',
      'dev-002',
      'dev-003',
      'dev-004',
      'dev-005',
    ]);
    expect(sim.gauges()).toEqual({
      devicesTotal: 5,
      devicesOnline: 5,
      devicesConnected: 5,
      feedConnected: true,
      symbols: 2,
    });
    await vi.advanceTimersByTimeAsync(2000);
    sim.stop();
    expect(connections.every((c) => c.closed)).toBe(true);
    expect(sim.gauges().devicesConnected).toBe(0);
    // 5 devices × 4 metrics × 1 Hz + 2 symbols × 5 Hz, for two seconds.
    expect(sim.stats.sent).toBeGreaterThanOrEqual(55);
    expect(sim.stats.sent).toBeLessThanOrEqual(70);
    expect(sim.elapsedMs).toBe(2000);

    const line = formatLive(sim.stats, 30, sim.gauges());
    expect(line).toMatch(
      /^sent 30\/s \(\d+\) · acked \d+\/\d+ · rejected 0 · .* devices 0\/5 · feed down/,
    );
    sim.stats.reject('RATE_LIMITED');
    sim.stats.reject('RATE_LIMITED');
    sim.stats.reject('FORBIDDEN');
    expect(formatSummary(sim.stats, sim.elapsedMs)).toContain(
      'rejected    3  RATE_LIMITED=2 FORBIDDEN=1',
    );
  });

  it('is reproducible for a seed', async () => {
    const run = async () => {
      const { open, connections } = fakeOpener();
      const sim = new Simulation(parseFlags(['--devices', '2', '--symbols', '1', '--seed', '99']), {
        open,
      });
      sim.start();
      await vi.advanceTimersByTimeAsync(3000);
      sim.stop();
      return connections.map((c) => c.published.map((p) => p.payload));
    };
    const first = await run();
    vi.setSystemTime(Date.UTC(2025, 0, 1));
    expect(await run()).toEqual(first);
  });
});
