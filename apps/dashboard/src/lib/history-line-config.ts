import type { ChartConfiguration } from 'chart.js';
import type { MutablePoint } from './chart-window.js';
import { lineChartConfig, type LineConfigSource } from './line-chart-config.js';

/** Band datasets: no border, no points, broken (not bridged) where the steps stop. */
const band = { borderWidth: 0, pointRadius: 0, pointHoverRadius: 0, spanGaps: false };

/**
 * The long readings chart's configuration: the live line chart's (axes, ticks, tooltip,
 * drag-zoom: `lineChartConfig`), plus each step's min–max band behind the line. Datasets:
 * 0 the line (mean of each step, then the live readings), 1 the steps' max, 2 their min, filled
 * up to the max. chart.js draws dataset 0 last, so the line lies on the band.
 */
export function historyLineConfig(
  source: LineConfigSource,
): ChartConfiguration<'line', MutablePoint[]> {
  const config = lineChartConfig(source);
  config.data.datasets.push(
    { ...band, label: 'max', data: [], fill: false },
    { ...band, label: 'min', data: [], fill: '-1' },
  );
  return config;
}
