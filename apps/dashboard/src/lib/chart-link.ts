import type { ChartReport, FromChartWorker, ToChartWorker } from './chart-worker-protocol.js';
import type { LineLook } from './live-line.js';
import { packRing, PointBatch } from './point-batch.js';
import type { RingBuffer } from './ring-buffer.js';

/**
 * Whether live charts draw in the chart worker: where the browser can hand a canvas to a
 * worker (`transferControlToOffscreen`), unless the page was opened with `?offscreen=0` (for
 * tests and comparison), which draws them on the main thread as before.
 */
export function offscreenCharts(): boolean {
  if (typeof window === 'undefined' || typeof Worker === 'undefined') return false;
  if (new URLSearchParams(window.location.search).get('offscreen') === '0') return false;
  return (
    typeof OffscreenCanvas !== 'undefined' &&
    typeof HTMLCanvasElement.prototype.transferControlToOffscreen === 'function' &&
    moduleWorkers()
  );
}

let moduleWorkerSupport: boolean | undefined;

/**
 * Whether `new Worker(url, { type: 'module' })` starts a module worker. Firefox 105–113 has
 * OffscreenCanvas but no module workers, and a canvas handed over cannot be taken back, so
 * this is asked first: a browser that knows the option reads `type` from the options object
 * (the constructor then fails on the empty URL, which is fine).
 */
function moduleWorkers(): boolean {
  if (moduleWorkerSupport !== undefined) return moduleWorkerSupport;
  moduleWorkerSupport = false;
  try {
    const options = {
      get type(): WorkerType {
        moduleWorkerSupport = true;
        return 'module';
      },
    };
    new Worker('blob:', options).terminate();
  } catch {
    // expected: only whether `type` was read matters
  }
  return moduleWorkerSupport;
}

/** Numbers (3 per point) batched before they go without waiting for a frame. */
const MAX_BATCH = 3 * 8192;

/** The page's side of one chart drawn in the worker. */
export interface RemoteLine {
  /** A point was appended to the page's ring: it goes to the worker with this frame's batch. */
  pushed(x: number, y: number): void;
  look(look: LineLook): void;
  /** The chart now follows another ring (its series key changed). */
  series(ring: RingBuffer): void;
  pause(at: number | undefined): void;
  setOnScreen(on: boolean): void;
  resize(width: number, height: number, dpr: number): void;
  event(type: string, x: number, y: number): void;
  close(): void;
}

/**
 * The one chart worker of the page and its traffic. Points are not posted one by one: every
 * chart's new points of a frame go as (id, x, y) triples in one Float64Array whose buffer is
 * transferred, not copied, once per animation frame; the worker's reports come back batched.
 */
class ChartLink {
  readonly #worker: Worker;
  readonly #listeners = new Map<number, (r: ChartReport) => void>();
  readonly #batch = new PointBatch();
  #scheduled = false;
  #next = 1;

  constructor() {
    this.#worker = new Worker(new URL('./chart-worker.ts', import.meta.url), { type: 'module' });
    this.#worker.onmessage = (e: MessageEvent<FromChartWorker>) => {
      for (const [id, report] of e.data.reports) this.#listeners.get(id)?.(report);
    };
    this.#worker.onerror = (e) => console.error(`chart worker: ${e.message}`);
  }

  open(
    canvas: HTMLCanvasElement,
    ring: RingBuffer,
    look: LineLook,
    fill: boolean,
    size: { width: number; height: number; dpr: number },
    onReport: (r: ChartReport) => void,
  ): RemoteLine {
    const id = this.#next++;
    const offscreen = canvas.transferControlToOffscreen();
    const backfill = packRing(ring);
    this.#listeners.set(id, onReport);
    // Points batched before this chart existed are in its backfill already; those after
    // follow in order, since a worker reads its messages in the order they were posted.
    this.#post(
      { t: 'open', id, canvas: offscreen, capacity: ring.capacity, backfill, look, fill, ...size },
      [offscreen, backfill.buffer],
    );
    let open = true;
    return {
      pushed: (x, y) => {
        if (!open) return;
        this.#batch.add(id, x, y);
        // A hidden tab runs no frames: past this many, send now rather than pile up.
        if (this.#batch.size >= MAX_BATCH) this.#flush();
        else this.#schedule();
      },
      look: (l) => this.#post({ t: 'look', id, look: l }),
      series: (r) => {
        const points = packRing(r);
        this.#post({ t: 'series', id, capacity: r.capacity, backfill: points }, [points.buffer]);
      },
      pause: (at) => this.#post({ t: 'pause', id, at }),
      setOnScreen: (on) => this.#post({ t: 'screen', id, on }),
      resize: (width, height, dpr) => this.#post({ t: 'size', id, width, height, dpr }),
      event: (type, x, y) => this.#post({ t: 'event', id, type, x, y }),
      close: () => {
        open = false;
        this.#flush();
        this.#listeners.delete(id);
        this.#post({ t: 'close', id });
      },
    };
  }

  #post(message: ToChartWorker, transfer: Transferable[] = []): void {
    // Anything about a chart follows the points batched before it.
    if (message.t !== 'open') this.#flush();
    this.#worker.postMessage(message, transfer);
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    requestAnimationFrame(this.#frame);
  }

  readonly #frame = (): void => {
    this.#scheduled = false;
    this.#flush();
  };

  #flush(): void {
    const data = this.#batch.take();
    if (!data) return;
    this.#worker.postMessage({ t: 'points', data } satisfies ToChartWorker, [data.buffer]);
  }
}

let link: ChartLink | undefined;

/** The page's chart worker, started with the first chart that needs it. */
export function chartLink(): ChartLink {
  return (link ??= new ChartLink());
}
