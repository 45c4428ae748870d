import { chanceWithin, type Rng } from '../random.js';

/**
 * Devices that drop off and come back: while online, a device goes offline with a constant
 * hazard (`probabilityPerMinute` is the chance of at least one dropout within a minute);
 * it then stays away for an exponentially distributed time, clamped to [min, max].
 */

export interface DropoutOptions {
  /** Chance that an online device drops out within one minute (0 = never). */
  readonly probabilityPerMinute: number;
  readonly meanOfflineMs?: number;
  readonly minOfflineMs?: number;
  readonly maxOfflineMs?: number;
}

export const DROPOUT_DEFAULTS = {
  meanOfflineMs: 15_000,
  minOfflineMs: 3_000,
  maxOfflineMs: 60_000,
} as const;

/** What `update` saw: the current state and whether it just changed. */
export type DropoutChange = 'none' | 'went-offline' | 'came-back';

/** The online/offline state machine of one device, driven by the caller's clock. */
export class Dropout {
  private onlineState = true;
  private backAt = 0;
  private lastMs: number;
  private readonly o: Required<DropoutOptions>;

  constructor(
    private readonly rng: Rng,
    options: DropoutOptions,
    nowMs: number,
  ) {
    this.o = { ...DROPOUT_DEFAULTS, ...options };
    this.lastMs = nowMs;
  }

  get online(): boolean {
    return this.onlineState;
  }

  /** Advances to `nowMs` (non-decreasing) and reports a transition, if any. */
  update(nowMs: number): DropoutChange {
    const dt = Math.max(0, nowMs - this.lastMs);
    this.lastMs = nowMs;
    if (this.onlineState) {
      if (!this.rng.chance(chanceWithin(this.o.probabilityPerMinute, dt))) return 'none';
      this.onlineState = false;
      const away = this.rng.exponential(this.o.meanOfflineMs);
      this.backAt = nowMs + Math.min(this.o.maxOfflineMs, Math.max(this.o.minOfflineMs, away));
      return 'went-offline';
    }
    if (nowMs < this.backAt) return 'none';
    this.onlineState = true;
    return 'came-back';
  }

  /** When an offline device returns (ms), or undefined while online. */
  get backAtMs(): number | undefined {
    return this.onlineState ? undefined : this.backAt;
  }
}
