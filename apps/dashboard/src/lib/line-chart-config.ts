import type { ChartConfiguration, Plugin } from 'chart.js';
import type { MutablePoint } from './chart-window.js';
import { dragZoom } from './drag-zoom.js';
import { formatClock } from './format.js';
import { tickStep, timeTickLabel, timeTicks } from './time-axis.js';

/**
 * What a line chart's options read while it draws. Getters, not values: chart.js calls the
 * callbacks on every update, so a new format, threshold list or tick budget takes effect on
 * the next draw without re-creating the chart.
 */
export interface LineConfigSource {
  label(): string;
  formatY(value: number): string;
  thresholds(): readonly number[];
  /** Colour of the threshold lines. */
  thresholdColour(): string;
  /** Fill of the drag-zoom selection. */
  selectionColour(): string;
  /** Time ticks across the x axis (about one per 90 px). */
  maxTicks(): number;
  fill: boolean;
  /** The operator dragged across [min, max] (ms), or double-clicked back (undefined). */
  onzoom(range: [number, number] | undefined): void;
  /** The tooltip now shown ('' when none), for tests and screen readers. */
  ontooltip(text: string): void;
  /** The tooltip's title for time `t` (default: the clock time). */
  tooltipTitle?(t: number): string;
}

/** Pointer events the chart handles: hover tooltips, drag-zoom and double-click reset. */
export const LINE_CHART_EVENTS = ['mousedown', 'mousemove', 'mouseup', 'mouseout', 'dblclick'];

/** Dashed horizontal lines at the thresholds that fall inside the y range. */
function thresholdLines(source: LineConfigSource): Plugin<'line'> {
  return {
    id: 'thresholds',
    afterDatasetsDraw(c) {
      const y = c.scales['y'];
      const thresholds = source.thresholds();
      if (!y || thresholds.length === 0) return;
      const { ctx, chartArea } = c;
      ctx.save();
      ctx.strokeStyle = source.thresholdColour();
      ctx.setLineDash([5, 4]);
      ctx.lineWidth = 1;
      for (const value of thresholds) {
        if (value < y.min || value > y.max) continue;
        const py = Math.round(y.getPixelForValue(value)) + 0.5;
        ctx.beginPath();
        ctx.moveTo(chartArea.left, py);
        ctx.lineTo(chartArea.right, py);
        ctx.stroke();
      }
      ctx.restore();
    },
  };
}

/**
 * Tells `ontooltip` what the tooltip says after each event, only when it changed: the text is
 * drawn into a canvas (perhaps in a worker), so this is how a page or test learns what it shows.
 */
function tooltipReport(source: LineConfigSource): Plugin<'line'> {
  let shown = '';
  return {
    id: 'tooltipReport',
    afterEvent(chart) {
      const tip = chart.tooltip;
      const active = tip && tip.getActiveElements().length > 0;
      const text = active ? [...tip.title, ...tip.body.flatMap((b) => b.lines)].join(' ') : '';
      if (text === shown) return;
      shown = text;
      source.ontooltip(text);
    },
  };
}

/**
 * The live line chart's chart.js configuration, built the same way whether the chart draws on
 * the page's main thread or in the chart worker (one builder, so the two cannot drift).
 * Register LineController, LineElement, PointElement, LinearScale, Filler and Tooltip first.
 */
export function lineChartConfig(
  source: LineConfigSource,
): ChartConfiguration<'line', MutablePoint[]> {
  return {
    type: 'line',
    data: {
      datasets: [
        {
          label: source.label(),
          data: [],
          borderWidth: 1.5,
          pointRadius: 0,
          pointHoverRadius: 3,
          fill: source.fill ? 'start' : false,
          tension: 0,
          // NaN points from the window mark outages: draw them as breaks.
          spanGaps: false,
        },
      ],
    },
    options: {
      animation: false,
      parsing: false,
      normalized: true,
      responsive: true,
      maintainAspectRatio: false,
      events: LINE_CHART_EVENTS as never,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: {
        x: {
          type: 'linear',
          ticks: {
            maxRotation: 0,
            autoSkip: false,
            callback: function (value) {
              return timeTickLabel(Number(value), tickStep(this.max - this.min, source.maxTicks()));
            },
          },
          afterBuildTicks: (axis) => {
            axis.ticks = timeTicks(axis.min, axis.max, source.maxTicks()).map((value) => ({
              value,
            }));
          },
        },
        y: {
          type: 'linear',
          grace: '5%',
          ticks: { maxTicksLimit: 5, callback: (value) => source.formatY(Number(value)) },
        },
      },
      plugins: {
        legend: { display: false },
        tooltip: {
          displayColors: false,
          // The line only: a history chart adds its min–max band as datasets 1 and 2.
          filter: (item) => item.datasetIndex === 0,
          callbacks: {
            title: (items) => {
              const t = items[0]?.parsed.x ?? 0;
              return source.tooltipTitle ? source.tooltipTitle(t) : formatClock(t);
            },
            label: (item) => `${item.dataset.label ?? ''} ${source.formatY(item.parsed.y ?? 0)}`,
          },
        },
      },
    },
    plugins: [
      thresholdLines(source),
      tooltipReport(source),
      dragZoom({
        onzoom: (min, max) => source.onzoom([min, max]),
        onreset: () => source.onzoom(undefined),
        colour: () => source.selectionColour(),
      }) as Plugin<'line'>,
    ],
  };
}
