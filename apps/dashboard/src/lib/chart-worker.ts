// The chart worker: draws every live line chart of the page on OffscreenCanvases, so chart.js'
// layout and painting leave the main thread. The page keeps the connection and the series
// store, and sends new points once per animation frame (see chart-link.ts).
import type { ChartReport, FromChartWorker, ToChartWorker } from './chart-worker-protocol.js';
import { DrawQueue } from './draw-queue.js';
import { LiveLine } from './live-line.js';
import { forEachPoint, unpackRing } from './point-batch.js';
import type { RingBuffer } from './ring-buffer.js';

interface Open {
  readonly line: LiveLine;
  ring: RingBuffer;
}

/** The parts of a dedicated worker's global scope used here (the DOM lib does not type it). */
interface WorkerScope {
  postMessage(message: FromChartWorker): void;
  onmessage: ((e: MessageEvent<ToChartWorker>) => void) | null;
  requestAnimationFrame(cb: (time: number) => void): number;
  cancelAnimationFrame(handle: number): void;
}

const scope = self as unknown as WorkerScope;
// Worker animation frames follow the page's (Chromium runs them for OffscreenCanvas commits).
const queue = new DrawQueue(6, {
  request: (cb) => scope.requestAnimationFrame(cb),
  cancel: (h) => scope.cancelAnimationFrame(h),
});
const charts = new Map<number, Open>();
const pending = new Map<number, ChartReport>();
let flushing = false;

/** Reports leave in one message after the current task (a frame's draws, an event). */
function report(id: number, add: ChartReport): void {
  const r = pending.get(id);
  if (r) Object.assign(r, add);
  else pending.set(id, { ...add });
  if (flushing) return;
  flushing = true;
  queueMicrotask(() => {
    flushing = false;
    const message: FromChartWorker = { reports: [...pending] };
    pending.clear();
    scope.postMessage(message);
  });
}

function open(m: Extract<ToChartWorker, { t: 'open' }>): void {
  const ring = unpackRing(m.capacity, m.backfill);
  const id = m.id;
  // The canvas arrives at its default 300 × 150: size it before the first draw.
  m.canvas.width = Math.max(1, Math.floor(m.width * m.dpr));
  m.canvas.height = Math.max(1, Math.floor(m.height * m.dpr));
  const line = new LiveLine(m.canvas, ring, m.look, m.fill, queue, {
    drawn: (drawn) => report(id, { drawn }),
    tooltip: (tooltip) => report(id, { tooltip }),
    zoom: (range) => report(id, { zoom: range ?? null }),
  });
  line.resize(m.width, m.height, m.dpr);
  charts.set(id, { line, ring });
}

function points(data: Float64Array): void {
  forEachPoint(data, (id, x, y) => {
    const chart = charts.get(id);
    if (!chart) return;
    chart.ring.push(x, y);
    chart.line.pushed();
  });
}

scope.onmessage = (e: MessageEvent<ToChartWorker>) => {
  const m = e.data;
  if (m.t === 'open') return open(m);
  if (m.t === 'points') return points(m.data);
  const chart = charts.get(m.id);
  if (!chart) return;
  switch (m.t) {
    case 'look':
      return chart.line.setLook(m.look);
    case 'series':
      chart.ring = unpackRing(m.capacity, m.backfill);
      return chart.line.setRing(chart.ring);
    case 'pause':
      return chart.line.pause(m.at);
    case 'screen':
      return chart.line.setOnScreen(m.on);
    case 'size':
      return chart.line.resize(m.width, m.height, m.dpr);
    case 'event':
      return chart.line.event(m.type, m.x, m.y);
    case 'close':
      chart.line.destroy();
      charts.delete(m.id);
      pending.delete(m.id);
  }
};
