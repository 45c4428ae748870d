import type { Chart, Plugin } from 'chart.js';

/** Below this many pixels a drag is a click, not a zoom. */
export const MIN_DRAG_PX = 5;

/**
 * The x range a drag from `startPx` to `endPx` selects, inside the plot [left, right], or
 * undefined when it is too short to mean a zoom. Pure, so the geometry is tested without a canvas.
 */
export function dragRange(
  startPx: number,
  endPx: number,
  left: number,
  right: number,
  valueAt: (px: number) => number,
): [number, number] | undefined {
  const a = Math.min(right, Math.max(left, Math.min(startPx, endPx)));
  const b = Math.min(right, Math.max(left, Math.max(startPx, endPx)));
  if (b - a < MIN_DRAG_PX) return undefined;
  return [valueAt(a), valueAt(b)];
}

export interface DragZoomOptions {
  /** The operator dragged across [min, max] on the x axis. */
  onzoom: (min: number, max: number) => void;
  /** Double-click: back to the whole window. */
  onreset: () => void;
  /** Fill of the selection while dragging. */
  colour: () => string;
}

/**
 * Drag across the time axis to zoom, double-click to reset. A few lines instead of
 * chartjs-plugin-zoom (which brings hammerjs and pans/wheel-zooms we do not want); the chart
 * must list `mousedown`, `mouseup` and `dblclick` in its `events` (chart.js maps pointer and
 * touch events onto them).
 */
export function dragZoom(o: DragZoomOptions): Plugin {
  let start: number | undefined;
  let current: number | undefined;
  return {
    id: 'dragZoom',
    afterEvent(chart: Chart, args) {
      const e = args.event;
      const area = chart.chartArea;
      if (e.x === null || !area) return;
      const x = chart.scales['x'];
      if (e.type === 'mousedown') {
        if (e.x >= area.left && e.x <= area.right) start = current = e.x;
      } else if (e.type === 'mousemove' && start !== undefined) {
        current = e.x;
        args.changed = true;
      } else if (e.type === 'mouseup' && start !== undefined) {
        const valueAt = (px: number) => x?.getValueForPixel(px) ?? px;
        const range = dragRange(start, e.x, area.left, area.right, valueAt);
        start = current = undefined;
        args.changed = true;
        if (range) o.onzoom(range[0], range[1]);
      } else if (e.type === 'mouseout' && start !== undefined) {
        start = current = undefined;
        args.changed = true;
      } else if (e.type === 'dblclick') {
        o.onreset();
      }
    },
    afterDraw(chart: Chart) {
      if (start === undefined || current === undefined) return;
      const { ctx, chartArea } = chart;
      ctx.save();
      ctx.fillStyle = o.colour();
      const a = Math.max(chartArea.left, Math.min(start, current));
      const b = Math.min(chartArea.right, Math.max(start, current));
      ctx.fillRect(a, chartArea.top, b - a, chartArea.bottom - chartArea.top);
      ctx.restore();
    },
  };
}
