import {
  HISTORY_RAW_MAX_SPAN_MS,
  SensorReadingSchema,
  type RawPoint,
  type ReadingBucket,
  type ReadingHistory,
} from '@pulse/protocol';
import * as v from 'valibot';
import { readingFolder, type ReadingPoint } from './history-buckets.js';
import {
  fetchHistory,
  type HistoryProblem,
  type HistoryQuery,
  type HistoryToken,
} from './history-fetch.js';
import { stitch, StitchedSeries, wholeSteps } from './history-stitch.js';
import type { LiveTail } from './live-tail.js';

/**
 * How long before now the console asks history to end: the store writes behind the live path
 * in batches, so the last moment may not be stored yet; the live tail covers it instead.
 */
export const FLUSH_MARGIN_MS = 2000;

export type ReadingSeries = StitchedSeries<ReadingBucket, ReadingPoint>;

/** What a long chart shows: loading, the stitched series (with how it was answered), or why not. */
export type HistoryLoad =
  | { status: 'loading' }
  | {
      status: 'ready';
      series: ReadingSeries;
      source: ReadingHistory['source'];
      step: number;
    }
  | { status: 'problem'; problem: HistoryProblem };

export interface LoadOptions {
  topic: string;
  /** The window [now − windowMs, now − FLUSH_MARGIN_MS) is fetched. */
  windowMs: number;
  now: number;
  /** Already recording: messages that arrive while the request is in flight are in it. */
  tail: LiveTail<ReadingPoint>;
  token: HistoryToken;
  fetchFn?: typeof fetch;
  /** Called with each new state, and (same `ready` state) after each live append. */
  onchange: (load: HistoryLoad) => void;
  /** Live points kept unfolded (default 4000). */
  maxTail?: number;
}

/**
 * Loads a long window of a `device.*` topic and keeps it growing from the live tail. Returns
 * the cancel: it aborts the request and stops listening.
 */
export function loadReadingHistory(o: LoadOptions): () => void {
  const controller = new AbortController();
  let stop = (): void => controller.abort();
  o.onchange({ status: 'loading' });
  const get = (q: HistoryQuery) =>
    fetchHistory(q, {
      token: o.token,
      signal: controller.signal,
      ...(o.fetchFn ? { fetchFn: o.fetchFn } : {}),
    });
  const to = o.now - FLUSH_MARGIN_MS;
  void (async () => {
    const result = await get({ topic: o.topic, from: o.now - o.windowMs, to, step: 'auto' });
    if (controller.signal.aborted) return;
    if (!result.ok) return o.onchange({ status: 'problem', problem: result.problem });
    const h = result.history;
    if (h.kind !== 'readings') {
      return o.onchange({
        status: 'problem',
        problem: { kind: 'invalid', message: `History answered ${h.kind}, not readings` },
      });
    }
    // Raw answers are clipped at `to`; a rollup's last step is whole and may hold readings the
    // tail has too. Trim it, and read that part of the step raw (exact at `to`) instead.
    const base = wholeSteps(h, h.source === 'raw');
    let fill: ReadingPoint[] = [];
    let liveFrom: number | undefined;
    if (base.to < h.to && h.to - base.to <= HISTORY_RAW_MAX_SPAN_MS) {
      const raw = await get({ topic: o.topic, from: base.to, to: h.to, step: 'raw' });
      if (controller.signal.aborted) return;
      if (raw.ok && raw.history.kind === 'raw' && !raw.history.truncated) {
        fill = readingsOf(raw.history.points, o.tail.points[0]?.epoch ?? '');
        liveFrom = base.to;
      }
    }
    // Stitch and start listening in one turn: no live message can fall between the two.
    const stitched = stitch(base, [...fill, ...o.tail.points], liveFrom);
    const series = new StitchedSeries(stitched, readingFolder, o.maxTail);
    const ready: HistoryLoad = { status: 'ready', series, source: h.source, step: h.step };
    const off = o.tail.listen((p) => {
      if (series.append(p)) o.onchange(ready);
    });
    stop = off;
    o.onchange(ready);
  })();
  return () => stop();
}

/**
 * Raw stored messages as live points. They carry no epoch: labelled with the live tail's, so a
 * message both read raw and delivered live is shown once.
 */
function readingsOf(points: readonly RawPoint[], epoch: string): ReadingPoint[] {
  const out: ReadingPoint[] = [];
  for (const p of points) {
    const reading = v.safeParse(SensorReadingSchema, p.payload);
    if (reading.success) out.push({ t: p.t, seq: p.seq, epoch, value: reading.output.value });
  }
  return out;
}
