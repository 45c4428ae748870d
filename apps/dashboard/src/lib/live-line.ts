import {
  Chart,
  Filler,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartEvent,
} from 'chart.js';
import { colourAxes, type ChartTheme } from './chart-theme.js';
import { ChartWindow, gapFor, type MutablePoint } from './chart-window.js';
import type { DrawQueue } from './draw-queue.js';
import { lineChartConfig } from './line-chart-config.js';
import { RedrawPacer, redrawInterval } from './redraw-pacer.js';
import type { RingBuffer } from './ring-buffer.js';
import { formatterFor, type ValueFormat } from './value-format.js';

// Only what a line chart on a linear axis needs, so the bundle stays small.
Chart.register(LineController, LineElement, PointElement, LinearScale, Filler, Tooltip);

/** Everything about a live line chart's look; plain data, so it crosses postMessage. */
export interface LineLook {
  label: string;
  /** Visible span ending now (ms). */
  windowMs: number;
  thresholds: readonly number[];
  format: ValueFormat;
  theme: ChartTheme;
}

/** What a draw put on screen, told to the page (for the overlay, cards, tests and tools). */
export interface LineDrawn {
  /** The newest value drawn. */
  lastY: number | undefined;
  /** Points drawn, gap markers excluded. */
  points: number;
  /** Breaks drawn (spans with no data wider than the gap). */
  gaps: number;
  /** Points in view, gap markers included (0 shows "waiting for data"). */
  visible: number;
}

/** What a live line tells its page; the same calls whether it draws here or in the worker. */
export interface LineReports {
  drawn(d: LineDrawn): void;
  tooltip(text: string): void;
  zoom(range: [number, number] | undefined): void;
}

/** Where a live line draws: a page canvas (chart.js sizes it) or a worker's OffscreenCanvas. */
export type LineCanvas = HTMLCanvasElement | OffscreenCanvas;

/**
 * One live line chart: a chart.js line over a ring of points, redrawn through a shared draw
 * queue as often as the picture can change. The same class draws on the page (fallback) and
 * in the chart worker (OffscreenCanvas); only who owns the ring and the queue differs.
 */
export class LiveLine {
  readonly #chart: Chart<'line', MutablePoint[]>;
  #ring: RingBuffer;
  readonly #queue: DrawQueue;
  readonly #reports: LineReports;
  readonly #view = new ChartWindow();
  readonly #pacer: RedrawPacer;
  readonly #idle: ReturnType<typeof setInterval>;
  #look: LineLook;
  #formatY: (value: number) => string;
  #pausedAt: number | undefined;
  #zoom: [number, number] | undefined;
  #onScreen = true;
  #maxTicks = 6;
  #last: LineDrawn | undefined;

  /** `fill`: shade the area under the line (off for small multiples: it costs a fill per draw). */
  constructor(
    canvas: LineCanvas,
    ring: RingBuffer,
    look: LineLook,
    fill: boolean,
    queue: DrawQueue,
    reports: LineReports,
  ) {
    this.#ring = ring;
    this.#queue = queue;
    this.#reports = reports;
    this.#look = look;
    this.#formatY = formatterFor(look.format);
    this.#pacer = new RedrawPacer(this.invalidate);
    const config = lineChartConfig({
      label: () => this.#look.label,
      formatY: (v) => this.#formatY(v),
      thresholds: () => this.#look.thresholds,
      thresholdColour: () => this.#look.theme.bad,
      selectionColour: () => this.#look.theme.fill,
      maxTicks: () => this.#maxTicks,
      fill,
      onzoom: (range) => {
        this.#zoom = range;
        reports.zoom(range);
        this.invalidate();
      },
      ontooltip: (text) => reports.tooltip(text),
    });
    // chart.js takes an OffscreenCanvas (its basic platform), though its types say otherwise.
    this.#chart = new Chart(canvas as HTMLCanvasElement, config);
    this.#colour();
    this.invalidate();
    // With no new points the view must still slide with the clock; once a second is plenty
    // (unless live data redrew it anyway).
    this.#idle = setInterval(() => {
      if (this.#frozen() === false && this.#pacer.sinceDraw > 900) this.invalidate();
    }, 1000);
  }

  /** Asks the queue for a redraw (once, however often asked before it runs). */
  readonly invalidate = (): void => this.#queue.request(this.#draw);

  /** A new label, window, format, thresholds or theme. */
  setLook(look: LineLook): void {
    this.#look = look;
    this.#formatY = formatterFor(look.format);
    this.#colour();
    this.invalidate();
  }

  /** Follows another series from now on. */
  setRing(ring: RingBuffer): void {
    this.#ring = ring;
    this.invalidate();
  }

  /** Frozen with its right edge at `at` (data keeps arriving underneath), or live again. */
  pause(at: number | undefined): void {
    this.#pausedAt = at;
    this.invalidate();
  }

  /** Scrolled out of view: stop drawing (the ring keeps filling). */
  setOnScreen(on: boolean): void {
    this.#onScreen = on;
    if (on) this.invalidate();
  }

  /** A point was appended to the ring: redraw as soon as it can show. */
  pushed(): void {
    if (this.#frozen()) return;
    this.#pacer.poke(redrawInterval(this.#look.windowMs, this.#chart.chartArea?.width ?? 300));
  }

  /** The canvas' CSS size and pixel ratio (a worker's chart cannot observe its element). */
  resize(width: number, height: number, devicePixelRatio: number): void {
    const options = this.#chart.options;
    if (options.devicePixelRatio !== devicePixelRatio) options.devicePixelRatio = devicePixelRatio;
    this.#chart.resize(width, height);
    this.invalidate();
  }

  /**
   * A pointer event at (x, y) CSS pixels from the canvas' top left, relayed from the page: in
   * a worker chart.js has no element to listen on. `native` carries only the type, which is
   * what chart.js reads from it (positions come from x and y when `native` is present).
   */
  event(type: string, x: number, y: number): void {
    const event = { type, x, y, native: { type } } as unknown as ChartEvent;
    // chart.js' own entry point for platform events (what its DOM platform calls).
    (this.#chart as unknown as { _eventHandler(e: ChartEvent): void })._eventHandler(event);
  }

  destroy(): void {
    clearInterval(this.#idle);
    this.#queue.cancel(this.#draw);
    this.#pacer.dispose();
    this.#chart.destroy();
  }

  #frozen(): boolean {
    return this.#pausedAt !== undefined || this.#zoom !== undefined;
  }

  #colour(): void {
    const dataset = this.#chart.data.datasets[0]!;
    dataset.borderColor = this.#look.theme.line;
    dataset.backgroundColor = this.#look.theme.fill;
    colourAxes(this.#chart.config.options, this.#look.theme);
  }

  readonly #draw = (): void => {
    if (!this.#onScreen) return;
    const chart = this.#chart;
    const ring = this.#ring;
    // The right edge follows the wall clock so a quiet series scrolls left instead of
    // freezing, but never cuts off data stamped slightly ahead of this browser's clock.
    const max = this.#zoom?.[1] ?? this.#pausedAt ?? Math.max(ring.lastX() ?? 0, Date.now());
    const min = this.#zoom?.[0] ?? max - this.#look.windowMs;
    // chart.js' own width (kept by its resize handling): reading the canvas' layout here would
    // force a reflow per chart per frame once other charts have touched the DOM.
    const width = chart.width;
    // About a point per pixel: beyond that a long window is decimated min–max.
    const maxPoints = Math.max(120, Math.round(width));
    const data = this.#view.fill(ring, min, max, maxPoints, gapFor(ring));
    const dataset = chart.data.datasets[0]!;
    dataset.data = data;
    dataset.label = this.#look.label;
    const x = chart.options.scales!['x']!;
    x.min = min;
    x.max = max;
    this.#maxTicks = Math.max(2, Math.floor(width / 90));
    chart.update('none');
    this.#pacer.drew();
    const drawn: LineDrawn = {
      lastY: data[data.length - 1]?.y,
      points: data.length - this.#view.gaps,
      gaps: this.#view.gaps,
      visible: data.length,
    };
    const last = this.#last;
    if (
      last &&
      Object.is(last.lastY, drawn.lastY) &&
      last.points === drawn.points &&
      last.gaps === drawn.gaps &&
      last.visible === drawn.visible
    )
      return;
    this.#last = drawn;
    this.#reports.drawn(drawn);
  };
}
