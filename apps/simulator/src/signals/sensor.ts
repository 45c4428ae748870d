/**
 * Believable sensor signals: a daily cycle, gaussian noise, a slow bounded drift, rare spikes,
 * all clamped to what the sensor can physically report. The battery instead drains and recharges.
 *
 * Signals run on *simulated* time (see `simulatedTime`), so a demo can squeeze a day into
 * minutes while payload timestamps stay real.
 */

import type { Rng } from '../random.js';
import { BATTERY, CYCLIC_PROFILES, type CyclicProfile, type Metric } from './sensor-profiles.js';

export {
  BATTERY,
  CYCLIC_PROFILES,
  METRICS,
  type CyclicProfile,
  type Metric,
} from './sensor-profiles.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** One reading and whether a spike was injected into it (for tests and logs). */
export interface SensorSample {
  readonly value: number;
  readonly spike: boolean;
}

/** A stateful, seeded generator of one metric of one device. */
export interface SensorSignal {
  readonly metric: Metric;
  readonly unit: string;
  /** The next reading at simulated time `simMs`; call with non-decreasing times. */
  sample(simMs: number): SensorSample;
  /** Current drift offset (always within the profile's bound); 0 for the battery. */
  readonly drift: number;
}

export interface SensorOptions {
  /** Probability that a given sample carries a spike. */
  readonly spikeProbability?: number;
}

export const DEFAULT_SPIKE_PROBABILITY = 0.002;

/** Maps real time to simulated time: `timeScale` simulated ms pass per real ms since `startMs`. */
export function simulatedTime(startMs: number, timeScale: number, realMs: number): number {
  return startMs + (realMs - startMs) * timeScale;
}

/** Simulated hour of day (UTC), fractional. */
export function hourOfDay(simMs: number): number {
  return (((simMs % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
}

/** The daily cycle: 1 at `peakHour`, -1 twelve hours later. */
export function dailyCycle(simMs: number, peakHour: number): number {
  return Math.cos((2 * Math.PI * (hourOfDay(simMs) - peakHour)) / 24);
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const round = (x: number, decimals: number) => Number(x.toFixed(decimals));

/** A generator for `metric`, drawing from `rng` only. */
export function createSensorSignal(
  metric: Metric,
  rng: Rng,
  options: SensorOptions = {},
): SensorSignal {
  if (metric === 'battery') return createBatterySignal(rng);
  return createCyclicSignal(
    metric,
    CYCLIC_PROFILES[metric],
    rng,
    options.spikeProbability ?? DEFAULT_SPIKE_PROBABILITY,
  );
}

function createCyclicSignal(
  metric: Metric,
  p: CyclicProfile,
  rng: Rng,
  spikeProbability: number,
): SensorSignal {
  const offset = rng.range(-p.deviceSpread, p.deviceSpread);
  let drift = 0;
  return {
    metric,
    unit: p.unit,
    get drift() {
      return drift;
    },
    sample(simMs) {
      // A slight pull towards 0 keeps the walk wandering instead of sitting on the bound.
      drift = clamp(drift * 0.999 + rng.normal(0, p.driftStep), -p.driftBound, p.driftBound);
      let value =
        p.base +
        offset +
        p.amplitude * dailyCycle(simMs, p.peakHour) +
        drift +
        rng.normal(0, p.noiseSd);
      const spike = rng.chance(spikeProbability);
      if (spike) {
        const sign = p.spikeBothWays && rng.chance(0.5) ? -1 : 1;
        value += sign * p.spikeSize * (1 + rng.next());
      }
      return { value: round(clamp(value, p.min, p.max), p.decimals), spike };
    },
  };
}

function createBatterySignal(rng: Rng): SensorSignal {
  const drainPerHour = rng.range(...BATTERY.drainPerHour);
  const chargePerHour = rng.range(...BATTERY.chargePerHour);
  let level = rng.range(30, 100);
  let charging = false;
  let chargeUntil = rng.range(...BATTERY.chargeUntil);
  let lastMs: number | undefined;
  return {
    metric: 'battery',
    unit: BATTERY.unit,
    drift: 0,
    sample(simMs) {
      const hours = lastMs === undefined ? 0 : Math.max(0, simMs - lastMs) / HOUR_MS;
      lastMs = simMs;
      level += charging ? chargePerHour * hours : -drainPerHour * hours;
      if (!charging && level <= BATTERY.chargeBelow) {
        charging = true;
        chargeUntil = rng.range(...BATTERY.chargeUntil);
      } else if (charging && level >= chargeUntil) {
        charging = false;
      }
      level = clamp(level, BATTERY.min, BATTERY.max);
      const value = clamp(level + rng.normal(0, BATTERY.noiseSd), BATTERY.min, BATTERY.max);
      return { value: round(value, BATTERY.decimals), spike: false };
    },
  };
}
