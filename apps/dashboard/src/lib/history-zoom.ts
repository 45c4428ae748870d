import type { HistoryProblem, HistoryToken } from './history-fetch.js';
import {
  describeLoad,
  loadHistory,
  loadSpan,
  type HistoryKind,
  type HistoryLoad,
} from './history-series.js';
import type { Bucket, LivePoint } from './history-stitch.js';
import type { LiveTail } from './live-tail.js';

/**
 * A zoom whose right end is within this share of the visible span from the right edge reaches
 * "now": it keeps growing live instead of freezing where the drag ended (the drag clamps to the
 * plot, whose right edge is the clock of the last draw, a moment ago).
 */
export const LIVE_EDGE = 0.02;

/** The span the operator zoomed into; `live`: it reaches now and grows with the clock. */
export interface ZoomSpan {
  readonly from: number;
  readonly to: number;
  readonly live: boolean;
}

/**
 * How far the zoom's own finer steps are: none asked (`idle`, the whole window), on their way
 * (`loading`: the coarser steps stay on screen meanwhile), shown, or refused (`problem`: the
 * coarser steps stay, the note says why).
 */
export type ZoomDetail =
  { status: 'idle' | 'loading' | 'ready' } | { status: 'problem'; problem: HistoryProblem };

/** What a long chart draws. A new object whenever any of it changes, not on a live append. */
export interface ZoomView<B extends Bucket, P extends LivePoint> {
  /** The steps to draw: the zoom's own once they arrived, else the best already loaded. */
  readonly load: HistoryLoad<B, P>;
  readonly zoom: ZoomSpan | undefined;
  readonly detail: ZoomDetail;
}

export interface ZoomableOptions<B extends Bucket, P extends LivePoint> {
  topic: string;
  windowMs: number;
  /** Recording since the view opened (the window's and a live zoom's right edge). */
  tail: LiveTail<P>;
  token: HistoryToken;
  fetchFn?: typeof fetch;
  /** The clock (tests pass their own). */
  now?: () => number;
  /** A new view, or the same one after a live append (redraw either way). */
  onchange: (view: ZoomView<B, P>) => void;
  maxTail?: number;
}

/** The x range a chart shows for `view` at `now`: the zoom, or the whole window to now. */
export function xRange(
  view: ZoomView<Bucket, LivePoint>,
  windowMs: number,
  now: number,
): [number, number] {
  const z = view.zoom;
  if (!z) return [now - windowMs, now];
  return [z.from, z.live ? Math.max(z.to, now) : z.to];
}

/**
 * The note over a long chart: the steps drawn (`describeLoad`), and while zoomed whether its
 * finer steps are on their way or why they are not there.
 */
export function describeView(
  view: ZoomView<Bucket, LivePoint>,
  what: string,
  formatSpan: (ms: number) => string,
): string {
  const note = describeLoad(view.load, what, formatSpan);
  switch (view.detail.status) {
    case 'idle':
    case 'ready':
      return note;
    case 'loading':
      return `${note} · loading finer steps…`;
    case 'problem':
      return `${note} · no finer steps: ${view.detail.problem.message}`;
  }
}

/** A zoom's load with the span it was asked for. */
interface Loaded<B extends Bucket, P extends LivePoint> {
  readonly span: ZoomSpan;
  load: HistoryLoad<B, P>;
}

/** Can `z`'s steps stand in for [from, to] while that span's own load is on its way? */
function covers(z: Loaded<Bucket, LivePoint> | undefined, from: number, to: number): boolean {
  if (z?.load.status !== 'ready') return false;
  return z.load.series.from <= from && (z.span.live || to <= z.span.to);
}

/**
 * One long chart's history with zoom (issue 13): the window's coarse steps, loaded once and
 * kept growing live, and — when the operator drags across a span — that span fetched again at
 * `step=auto`, so a 10-minute zoom into a 30-day window gets seconds, not hours. The coarse
 * steps stay on screen until the finer ones arrive; a newer zoom cancels the older fetch; a
 * zoom that reaches now joins the live tail at its right edge like the window does (same
 * stitch rules); reset goes back to the window's steps without asking again.
 */
export class ZoomableHistory<B extends Bucket, P extends LivePoint> {
  readonly #kind: HistoryKind<B, P>;
  readonly #o: ZoomableOptions<B, P>;
  readonly #now: () => number;
  #window: HistoryLoad<B, P> = { status: 'loading' };
  /** The zoom's own load (undefined: no zoom), and finer steps that stand in while it loads. */
  #fine: Loaded<B, P> | undefined;
  #standIn: Loaded<B, P> | undefined;
  #view: ZoomView<B, P>;
  readonly #cancelWindow: () => void;
  #cancelFine: (() => void) | undefined;

  constructor(kind: HistoryKind<B, P>, o: ZoomableOptions<B, P>) {
    this.#kind = kind;
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.#view = { load: this.#window, zoom: undefined, detail: { status: 'idle' } };
    this.#cancelWindow = loadHistory(kind, {
      ...this.#common(),
      windowMs: o.windowMs,
      now: this.#now(),
      onchange: (load) => {
        // The same `ready` again: a live append, nothing else changed.
        if (load === this.#window) return this.#o.onchange(this.#view);
        this.#window = load;
        this.#publish();
      },
    });
  }

  get view(): ZoomView<B, P> {
    return this.#view;
  }

  /**
   * Zooms into [from, to]: shows the steps already loaded there at once and fetches the span at
   * `step=auto`, cancelling a zoom fetch still in flight. A span reaching the right edge of
   * what is shown (within LIVE_EDGE of it, while that edge is now) stays live.
   */
  zoom(from: number, to: number): void {
    if (!(to > from)) return;
    const now = this.#now();
    const [shownFrom, shownTo] = xRange(this.#view, this.#o.windowMs, now);
    const followsNow = this.#view.zoom === undefined || this.#view.zoom.live;
    const live = followsNow && to >= shownTo - (shownTo - shownFrom) * LIVE_EDGE;
    const span: ZoomSpan = { from, to: live ? now : to, live };
    this.#cancelFine?.();
    // The finer steps of the zoom being replaced stand in if they hold the new span.
    const before = [this.#fine, this.#standIn].find((z) => covers(z, span.from, span.to));
    this.#standIn = before;
    const mine: Loaded<B, P> = { span, load: { status: 'loading' } };
    this.#fine = mine;
    const onchange = (load: HistoryLoad<B, P>) => {
      if (this.#fine !== mine) return; // superseded: the abort got here late
      if (load === mine.load && load.status === 'ready') return this.#o.onchange(this.#view);
      mine.load = load;
      this.#publish();
    };
    const common = this.#common();
    this.#cancelFine = live
      ? loadHistory(this.#kind, { ...common, windowMs: now - from, now, onchange })
      : loadSpan(this.#kind, { ...common, from, to, onchange });
  }

  /** Back to the whole window: its steps are still here (and still growing), nothing is asked. */
  reset(): void {
    this.#cancelFine?.();
    this.#cancelFine = this.#fine = this.#standIn = undefined;
    this.#publish();
  }

  /** Stops every request and stops listening to the tail. */
  dispose(): void {
    this.#cancelFine?.();
    this.#cancelWindow();
  }

  #common() {
    const o = this.#o;
    return {
      topic: o.topic,
      tail: o.tail,
      token: o.token,
      ...(o.fetchFn ? { fetchFn: o.fetchFn } : {}),
      ...(o.maxTail !== undefined ? { maxTail: o.maxTail } : {}),
    };
  }

  #publish(): void {
    const fine = this.#fine;
    if (!fine) {
      this.#view = { load: this.#window, zoom: undefined, detail: { status: 'idle' } };
    } else {
      const f = fine.load;
      const detail: ZoomDetail =
        f.status === 'problem' ? { status: 'problem', problem: f.problem } : { status: f.status };
      const load = f.status === 'ready' ? f : (this.#standIn?.load ?? this.#window);
      this.#view = { load, zoom: fine.span, detail };
    }
    this.#o.onchange(this.#view);
  }
}
