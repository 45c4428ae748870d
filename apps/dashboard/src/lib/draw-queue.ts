import { animationFrames, type FrameSource } from './frame-scheduler.js';

/** A redraw; the same function object identifies the same chart. */
export type Draw = () => void;

/**
 * Shares animation frames between many charts. A chart asks for a redraw; each frame draws
 * the waiting charts oldest first until the frame's budget is spent (at least one per frame),
 * and the rest go first in the next frame. Sixteen charts whose data arrives in the same
 * batch are spread over two or three frames instead of making one long frame, so the page
 * keeps its frame rate; a chart asking again while it waits is still drawn once.
 */
export class DrawQueue {
  readonly #waiting = new Set<Draw>();
  readonly #budgetMs: number;
  readonly #frames: FrameSource;
  readonly #now: () => number;
  /** A frame is requested and has not run yet. */
  #scheduled = false;

  constructor(budgetMs = 6, frames: FrameSource = animationFrames, now = () => performance.now()) {
    this.#budgetMs = budgetMs;
    this.#frames = frames;
    this.#now = now;
  }

  /** Charts waiting for a frame. */
  get waiting(): number {
    return this.#waiting.size;
  }

  /** Draws `draw` in a coming frame (once, however often it is asked). */
  request(draw: Draw): void {
    this.#waiting.add(draw);
    this.#schedule();
  }

  /** Forgets a pending draw (the chart is going away). */
  cancel(draw: Draw): void {
    this.#waiting.delete(draw);
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#frames.request(this.#run);
  }

  readonly #run = (): void => {
    this.#scheduled = false;
    const start = this.#now();
    for (const draw of this.#waiting) {
      // Removed first: a draw that asks again (data arrived meanwhile) goes to the back.
      this.#waiting.delete(draw);
      try {
        draw();
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
      if (this.#now() - start >= this.#budgetMs) break;
    }
    if (this.#waiting.size > 0) this.#schedule();
  };
}

/** The queue every chart of the page draws through. */
export const chartFrames = new DrawQueue();
