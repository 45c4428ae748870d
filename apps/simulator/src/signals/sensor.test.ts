import { describe, expect, it } from 'vitest';
import { Rng } from '../random.js';
import {
  BATTERY,
  createSensorSignal,
  CYCLIC_PROFILES,
  hourOfDay,
  simulatedTime,
  type SensorSample,
} from './sensor.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2025, 0, 1);

/** Samples every `stepMs` of simulated time for `days` days. */
function run(
  metric: Parameters<typeof createSensorSignal>[0],
  seed: number,
  days: number,
  stepMs: number,
  spikeProbability?: number,
) {
  const signal = createSensorSignal(
    metric,
    new Rng(seed),
    spikeProbability === undefined ? {} : { spikeProbability },
  );
  const out: { t: number; s: SensorSample; drift: number }[] = [];
  for (let t = T0; t < T0 + days * DAY; t += stepMs)
    out.push({ t, s: signal.sample(t), drift: signal.drift });
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const meanAtHour = (samples: ReturnType<typeof run>, hour: number) =>
  mean(samples.filter(({ t }) => Math.floor(hourOfDay(t)) === hour).map(({ s }) => s.value));

describe('sensor signals', () => {
  it('temperature follows a daily cycle: warm mid-afternoon, cold before dawn', () => {
    const samples = run('temperature', 1, 30, 10 * 60_000);
    const warm = meanAtHour(samples, 15);
    const cold = meanAtHour(samples, 3);
    expect(warm).toBeGreaterThan(cold + CYCLIC_PROFILES.temperature.amplitude);
  });

  it('humidity runs opposite to temperature', () => {
    const samples = run('humidity', 2, 30, 10 * 60_000);
    expect(meanAtHour(samples, 5)).toBeGreaterThan(meanAtHour(samples, 17) + 10);
  });

  it.each(['temperature', 'humidity', 'vibration'] as const)(
    '%s stays inside its physical range even with frequent spikes',
    (metric) => {
      const { min, max } = CYCLIC_PROFILES[metric];
      const values = run(metric, 3, 20, 60_000, 0.2).map(({ s }) => s.value);
      expect(values.every(Number.isFinite)).toBe(true);
      expect(Math.min(...values)).toBeGreaterThanOrEqual(min);
      expect(Math.max(...values)).toBeLessThanOrEqual(max);
    },
  );

  it('spikes happen at roughly the configured rate and stand out from the noise', () => {
    const p = 0.01;
    const samples = run('vibration', 4, 40, 60_000, p);
    const spikes = samples.filter(({ s }) => s.spike).length;
    const expected = p * samples.length;
    expect(spikes).toBeGreaterThan(expected * 0.8);
    expect(spikes).toBeLessThan(expected * 1.2);
    // A spike jumps far above the previous reading; ordinary steps are noise-sized.
    const jumps = (spike: boolean) =>
      mean(
        samples
          .slice(1)
          .filter(({ s }) => s.spike === spike)
          .map(({ s }, i) => s.value - samples[i]!.s.value),
      );
    expect(jumps(true)).toBeGreaterThan(CYCLIC_PROFILES.vibration.spikeSize);
    expect(Math.abs(jumps(false))).toBeLessThan(1);
  });

  it('never spikes when the probability is 0', () => {
    expect(run('temperature', 5, 5, 60_000, 0).some(({ s }) => s.spike)).toBe(false);
  });

  it('drift wanders but stays within its bound', () => {
    const samples = run('temperature', 6, 60, 60_000);
    const bound = CYCLIC_PROFILES.temperature.driftBound;
    const drifts = samples.map(({ drift }) => Math.abs(drift));
    expect(Math.max(...drifts)).toBeLessThanOrEqual(bound);
    expect(Math.max(...drifts)).toBeGreaterThan(bound * 0.3);
  });

  it('battery drains slowly, recharges, and stays within 0-100 %', () => {
    const samples = run('battery', 7, 30, 60_000).map(({ s }) => s.value);
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(BATTERY.min);
    expect(Math.max(...samples)).toBeLessThanOrEqual(BATTERY.max);
    // Slow: under 1 % per simulated minute either way, reading noise included.
    const steps = samples.slice(1).map((v, i) => Math.abs(v - samples[i]!));
    expect(Math.max(...steps)).toBeLessThan(1);
    expect(Math.min(...samples)).toBeLessThan(BATTERY.chargeBelow + 1);
    expect(Math.max(...samples)).toBeGreaterThan(90);
    // It went down to the charger and back up more than once in a month.
    let charges = 0;
    for (let i = 1; i < samples.length; i++) {
      if (samples[i - 1]! <= BATTERY.chargeBelow + 0.2 && samples[i]! > samples[i - 1]!) charges++;
    }
    expect(charges).toBeGreaterThan(0);
  });

  it('is deterministic for a seed', () => {
    const a = run('humidity', 8, 1, 60_000).map(({ s }) => s.value);
    const b = run('humidity', 8, 1, 60_000).map(({ s }) => s.value);
    expect(a).toEqual(b);
  });

  it('time scale squeezes a simulated day into real minutes', () => {
    // 60×: 24 real minutes = one simulated day.
    expect(simulatedTime(T0, 60, T0 + 24 * 60_000) - T0).toBe(DAY);
    expect(simulatedTime(T0, 1, T0 + 5000)).toBe(T0 + 5000);
  });
});
