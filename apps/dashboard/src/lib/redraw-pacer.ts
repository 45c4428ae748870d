/** Timers, injectable so tests control time. */
export interface PacerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const systemClock: PacerClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * How often a live chart is worth redrawing: as often as its time axis moves a pixel
 * (`windowMs / plotWidthPx`), but at least `maxMs` apart at most (the newest value is never
 * older than that on screen) and never more than `1000 / maxFps` often. A 1-minute window on
 * a 300 px plot moves a pixel every 200 ms: redrawing it on each of 20 updates a second would
 * cost four times the work for a picture that cannot differ by more than the last point.
 */
export function redrawInterval(
  windowMs: number,
  plotWidthPx: number,
  maxFps = 30,
  maxMs = 250,
): number {
  const perPixel = windowMs / Math.max(1, plotWidthPx);
  return Math.min(maxMs, Math.max(1000 / maxFps, perPixel));
}

/**
 * Paces one chart's data-driven redraws to a clock grid: a redraw happens on the next
 * multiple of `intervalMs` (at most one per grid step, and never less than half an interval
 * after the last one), so the last update is never left undrawn. Every chart with the same
 * interval redraws on the same instants: the shared draw queue then paints them in a couple
 * of frames, and the frames in between have nothing to paint or commit.
 */
export class RedrawPacer {
  readonly #request: () => void;
  readonly #clock: PacerClock;
  #lastDraw = -Infinity;
  #timer: unknown;

  constructor(request: () => void, clock: PacerClock = systemClock) {
    this.#request = request;
    this.#clock = clock;
  }

  /** New data arrived: ask for a redraw at the next grid instant it is due. */
  poke(intervalMs: number): void {
    if (this.#timer !== undefined) return;
    const now = this.#clock.now();
    const earliest = Math.max(now, this.#lastDraw + intervalMs / 2);
    const wait = Math.ceil(earliest / intervalMs) * intervalMs - now;
    if (wait <= 0) {
      this.#request();
      return;
    }
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#request();
    }, wait);
  }

  /** Milliseconds since the chart last drew (Infinity before its first draw). */
  get sinceDraw(): number {
    return this.#clock.now() - this.#lastDraw;
  }

  /** The chart drew (for any reason): the next data-driven draw is a grid step away. */
  drew(): void {
    this.#lastDraw = this.#clock.now();
  }

  dispose(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
