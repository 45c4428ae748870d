import { getContext, setContext } from 'svelte';

/** The colours charts draw with, read from the theme's CSS variables. */
export interface ChartTheme {
  readonly line: string;
  readonly fill: string;
  readonly grid: string;
  readonly text: string;
  readonly up: string;
  readonly down: string;
  readonly bad: string;
}

/** Reads the chart colours of the theme now applied to `root`. */
export function readChartTheme(root: Element = document.documentElement): ChartTheme {
  const style = getComputedStyle(root);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    line: v('--chart-line', '#4cc2ff'),
    fill: v('--chart-fill', 'rgba(76, 194, 255, 0.1)'),
    grid: v('--chart-grid', 'rgba(128, 128, 128, 0.18)'),
    text: v('--muted', '#8b98a8'),
    up: v('--up', '#3fb950'),
    down: v('--down', '#f85149'),
    bad: v('--bad', '#f85149'),
  };
}

const KEY = Symbol('chart-theme');

/** Charts find the current colours here; a theme switch recolours them without re-creating. */
export interface ChartThemeRef {
  readonly current: ChartTheme;
}

export function provideChartTheme(ref: ChartThemeRef): void {
  setContext(KEY, ref);
}

export function useChartTheme(): ChartThemeRef {
  return getContext<ChartThemeRef | undefined>(KEY) ?? { current: readChartTheme() };
}

/** The raw (not resolved) scale options a theme switch rewrites. */
interface RawScale {
  grid?: { color?: string };
  border?: { color?: string };
  ticks?: { color?: string };
}

/**
 * Recolours the axes of a chart in its raw options; the next `update()` re-resolves them.
 * (Spreading chart.js's resolved option proxies would resolve their internal descriptors.)
 */
export function colourAxes(
  options: { scales?: Record<string, unknown> } | undefined,
  theme: ChartTheme,
): void {
  for (const scale of Object.values(options?.scales ?? {}) as RawScale[]) {
    (scale.grid ??= {}).color = theme.grid;
    (scale.border ??= {}).color = theme.grid;
    (scale.ticks ??= {}).color = theme.text;
  }
}
