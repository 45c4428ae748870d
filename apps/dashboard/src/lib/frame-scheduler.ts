/** The two halves of `requestAnimationFrame`, injectable so tests can step frames by hand. */
export interface FrameSource {
  request(callback: (time: number) => void): number;
  cancel(handle: number): void;
}

/** The browser's animation frames. */
export const animationFrames: FrameSource = {
  request: (cb) => requestAnimationFrame(cb),
  cancel: (h) => cancelAnimationFrame(h),
};

/**
 * Coalesces any number of `invalidate()` calls into at most one `draw()` per frame, and asks
 * for no frame at all while nothing changed, so an idle chart costs nothing and a firehose
 * costs one redraw per frame.
 */
export class FrameScheduler {
  readonly #draw: (time: number) => void;
  readonly #frames: FrameSource;
  #handle: number | undefined;
  #disposed = false;

  constructor(draw: (time: number) => void, frames: FrameSource = animationFrames) {
    this.#draw = draw;
    this.#frames = frames;
  }

  /** True while a draw is scheduled for the next frame. */
  get pending(): boolean {
    return this.#handle !== undefined;
  }

  /** Marks the view stale; it is redrawn once on the next frame. */
  invalidate(): void {
    if (this.#handle !== undefined || this.#disposed) return;
    this.#handle = this.#frames.request(this.#run);
  }

  /** Cancels a pending draw and ignores later invalidations. */
  dispose(): void {
    this.#disposed = true;
    if (this.#handle !== undefined) this.#frames.cancel(this.#handle);
    this.#handle = undefined;
  }

  readonly #run = (time: number): void => {
    // Cleared before drawing so a change made during the draw schedules the next frame.
    this.#handle = undefined;
    this.#draw(time);
  };
}
