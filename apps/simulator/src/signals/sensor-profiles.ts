/** What each simulated sensor measures and the physics it must respect. */

export const METRICS = ['temperature', 'humidity', 'vibration', 'battery'] as const;
export type Metric = (typeof METRICS)[number];

/** How one kind of cyclic sensor behaves. */
export interface CyclicProfile {
  readonly unit: string;
  /** Physical range of the sensor: readings are clamped into it. */
  readonly min: number;
  readonly max: number;
  /** Daily mean, before the per-device offset. */
  readonly base: number;
  /** Spread of the per-device offset around `base` (uniform ±). */
  readonly deviceSpread: number;
  /** Half the daily swing. */
  readonly amplitude: number;
  /** Simulated hour of day (UTC) at which the cycle peaks. */
  readonly peakHour: number;
  readonly noiseSd: number;
  /** Standard deviation of one random-walk step of the drift. */
  readonly driftStep: number;
  /** The drift never leaves [-driftBound, driftBound]. */
  readonly driftBound: number;
  /** Typical spike height; spikes are 1–2× this. */
  readonly spikeSize: number;
  /** Whether spikes go both ways (humidity) or only up (vibration). */
  readonly spikeBothWays: boolean;
  readonly decimals: number;
}

export const CYCLIC_PROFILES: Readonly<Record<Exclude<Metric, 'battery'>, CyclicProfile>> = {
  // Warmest mid-afternoon, coldest before dawn.
  temperature: {
    unit: '°C',
    min: -40,
    max: 85,
    base: 21,
    deviceSpread: 3,
    amplitude: 4,
    peakHour: 15,
    noiseSd: 0.15,
    driftStep: 0.03,
    driftBound: 2.5,
    spikeSize: 9,
    spikeBothWays: true,
    decimals: 2,
  },
  // Relative humidity runs opposite to temperature: highest around dawn.
  humidity: {
    unit: '%',
    min: 0,
    max: 100,
    base: 50,
    deviceSpread: 8,
    amplitude: 12,
    peakHour: 5,
    noiseSd: 0.6,
    driftStep: 0.08,
    driftBound: 8,
    spikeSize: 18,
    spikeBothWays: true,
    decimals: 1,
  },
  // Machines shake most during the day shift.
  vibration: {
    unit: 'mm/s',
    min: 0,
    max: 50,
    base: 2.5,
    deviceSpread: 0.8,
    amplitude: 1.5,
    peakHour: 13,
    noiseSd: 0.25,
    driftStep: 0.01,
    driftBound: 1,
    spikeSize: 12,
    spikeBothWays: false,
    decimals: 2,
  },
};

export const BATTERY = {
  unit: '%',
  min: 0,
  max: 100,
  /** Below this the device goes to its charger. */
  chargeBelow: 15,
  /** It comes off the charger somewhere in this range. */
  chargeUntil: [92, 100] as const,
  /** Percent per simulated hour. */
  drainPerHour: [3, 6] as const,
  chargePerHour: [20, 35] as const,
  noiseSd: 0.05,
  decimals: 1,
} as const;
