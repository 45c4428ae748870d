import type { LineDrawn, LineLook } from './live-line.js';

/** Page → chart worker. Charts are numbered by the page; one worker draws them all. */
export type ToChartWorker =
  | {
      t: 'open';
      id: number;
      canvas: OffscreenCanvas;
      /** Ring capacity: the worker keeps the same bounded window as the page's store. */
      capacity: number;
      /** The series so far, x and y interleaved (transferred). */
      backfill: Float64Array;
      look: LineLook;
      fill: boolean;
      width: number;
      height: number;
      dpr: number;
    }
  /** New points of every chart since the last frame: (id, x, y) triples, transferred. */
  | { t: 'points'; data: Float64Array }
  | { t: 'look'; id: number; look: LineLook }
  /** The chart follows another series: its points so far, as in `open`. */
  | { t: 'series'; id: number; capacity: number; backfill: Float64Array }
  | { t: 'pause'; id: number; at: number | undefined }
  | { t: 'screen'; id: number; on: boolean }
  | { t: 'size'; id: number; width: number; height: number; dpr: number }
  /** A pointer event on the chart's element, (x, y) in CSS pixels from its top left. */
  | { t: 'event'; id: number; type: string; x: number; y: number }
  | { t: 'close'; id: number };

/** What one chart reported since the worker's last message. */
export interface ChartReport {
  drawn?: LineDrawn;
  tooltip?: string;
  /** null: zoom reset (undefined would mean "no news"). */
  zoom?: [number, number] | null;
}

/** Chart worker → page: reports batched per worker task (at most one message per frame). */
export interface FromChartWorker {
  reports: [id: number, report: ChartReport][];
}
