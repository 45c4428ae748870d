import {
  HISTORY_RAW_MAX_SPAN_MS,
  PriceTickSchema,
  SensorReadingSchema,
  type HistorySource,
  type RawPoint,
  type ReadingBucket,
  type TickBucket,
} from '@pulse/protocol';
import * as v from 'valibot';
import { readingFolder, tickFolder, type ReadingPoint, type TickPoint } from './history-buckets.js';
import {
  fetchHistory,
  type HistoryProblem,
  type HistoryQuery,
  type HistoryResult,
  type HistoryToken,
} from './history-fetch.js';
import {
  stitch,
  StitchedSeries,
  wholeSteps,
  type Bucket,
  type BucketFolder,
  type HistoryWindow,
  type LivePoint,
} from './history-stitch.js';
import type { LiveTail } from './live-tail.js';

/**
 * How long before now the console asks history to end: the store writes behind the live path
 * in batches, so the last moment may not be stored yet; the live tail covers it instead.
 */
export const FLUSH_MARGIN_MS = 2000;

/** How one family's history is read: its answer kind, how it folds, its raw rows as live points. */
export interface HistoryKind<B extends Bucket, P extends LivePoint> {
  readonly kind: 'readings' | 'ticks';
  readonly folder: BucketFolder<B, P>;
  fromRaw(p: RawPoint, epoch: string): P | undefined;
}

/** `device.*` topics: readings in steps of count, min, max, mean, last. */
export const READINGS: HistoryKind<ReadingBucket, ReadingPoint> = {
  kind: 'readings',
  folder: readingFolder,
  fromRaw(p, epoch) {
    const r = v.safeParse(SensorReadingSchema, p.payload);
    return r.success ? { t: p.t, seq: p.seq, epoch, value: r.output.value } : undefined;
  },
};

/** `price.*` topics: ticks in OHLC + volume steps. */
export const TICKS: HistoryKind<TickBucket, TickPoint> = {
  kind: 'ticks',
  folder: tickFolder,
  fromRaw(p, epoch) {
    const r = v.safeParse(PriceTickSchema, p.payload);
    return r.success
      ? { t: p.t, seq: p.seq, epoch, last: r.output.last, volume: r.output.volume }
      : undefined;
  },
};

/** The note under a long chart: how the steps were made, or why there are none. */
export function describeLoad(
  load: HistoryLoad<Bucket, LivePoint>,
  what: string,
  formatSpan: (ms: number) => string,
): string {
  switch (load.status) {
    case 'loading':
      return 'Loading history…';
    case 'problem':
      return load.problem.message;
    case 'ready': {
      const parts = [`${formatSpan(load.step)} steps (${what}), ${load.source} data`];
      if (!load.series.seamless)
        parts.push(`up to ${formatSpan(load.series.gapMs)} missing before live`);
      return parts.join(' · ');
    }
  }
}

export type ReadingSeries = StitchedSeries<ReadingBucket, ReadingPoint>;

/** What a long chart shows: loading, the stitched series (with how it was answered), or why not. */
export type HistoryLoad<B extends Bucket = ReadingBucket, P extends LivePoint = ReadingPoint> =
  | { status: 'loading' }
  | {
      status: 'ready';
      series: StitchedSeries<B, P>;
      source: HistorySource;
      step: number;
    }
  | { status: 'problem'; problem: HistoryProblem };

export interface LoadOptions<B extends Bucket = ReadingBucket, P extends LivePoint = ReadingPoint> {
  topic: string;
  /**
   * The window [now − windowMs, now − FLUSH_MARGIN_MS) is fetched (`now` moved on to the tail's
   * opening + FLUSH_MARGIN_MS when that is later: the request waits until then).
   */
  windowMs: number;
  now: number;
  /** Already recording: messages that arrive while the request is in flight are in it. */
  tail: LiveTail<P>;
  token: HistoryToken;
  fetchFn?: typeof fetch;
  /** Called with each new state, and (same `ready` state) after each live append. */
  onchange: (load: HistoryLoad<B, P>) => void;
  /** Live points kept unfolded (default 4000). */
  maxTail?: number;
}

/** `loadHistory` for a `device.*` topic. */
export function loadReadingHistory(o: LoadOptions): () => void {
  return loadHistory(READINGS, o);
}

/**
 * Loads a long window of one topic and keeps it growing from the live tail. Returns the
 * cancel: it aborts the request and stops listening.
 */
export function loadHistory<B extends Bucket, P extends LivePoint>(
  k: HistoryKind<B, P>,
  o: LoadOptions<B, P>,
): () => void {
  const controller = new AbortController();
  let stop = (): void => controller.abort();
  o.onchange({ status: 'loading' });
  const get = (q: HistoryQuery) =>
    fetchHistory(q, {
      token: o.token,
      signal: controller.signal,
      ...(o.fetchFn ? { fetchFn: o.fetchFn } : {}),
    });
  void (async () => {
    // History must end where the tail began, or before: a message delivered before the tail
    // opened is in history only if stamped before `to`. A tail opened less than the flush
    // margin ago waits out the rest, so `to` (margin before the request) is not before it.
    const wait = o.tail.openedAt + FLUSH_MARGIN_MS - o.now;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (controller.signal.aborted) return;
    const now = o.now + Math.max(0, wait);
    const to = now - FLUSH_MARGIN_MS;
    const result = await get({ topic: o.topic, from: now - o.windowMs, to, step: 'auto' });
    if (controller.signal.aborted) return;
    const h = stepsOf(k, result);
    if (!h.ok) return o.onchange({ status: 'problem', problem: h.problem });
    // Raw answers are clipped at `to`; a rollup's last step is whole and may hold readings the
    // tail has too. Trim it, and read that part of the step raw (exact at `to`) instead.
    const base = wholeSteps(h.steps, h.steps.source === 'raw');
    const fill: P[] = [];
    let liveFrom: number | undefined;
    if (base.to < h.steps.to && h.steps.to - base.to <= HISTORY_RAW_MAX_SPAN_MS) {
      const raw = await get({ topic: o.topic, from: base.to, to: h.steps.to, step: 'raw' });
      if (controller.signal.aborted) return;
      if (raw.ok && raw.history.kind === 'raw' && !raw.history.truncated) {
        // Raw rows carry no epoch: labelled with the live tail's, so a message both read raw
        // and delivered live is shown once.
        const epoch = o.tail.points[0]?.epoch ?? '';
        for (const p of raw.history.points) {
          const point = k.fromRaw(p, epoch);
          if (point) fill.push(point);
        }
        liveFrom = base.to;
      }
    }
    // Stitch and start listening in one turn: no live message can fall between the two.
    const stitched = stitch(base, [...fill, ...o.tail.points], liveFrom);
    const series = new StitchedSeries(stitched, k.folder, o.maxTail);
    const { source, step } = h.steps;
    const ready: HistoryLoad<B, P> = { status: 'ready', series, source, step };
    const off = o.tail.listen((p) => {
      if (series.append(p)) o.onchange(ready);
    });
    stop = off;
    o.onchange(ready);
  })();
  return () => stop();
}

type Steps<B extends Bucket> = HistoryWindow<B> & { source: HistorySource };

/** A history answer as this family's steps, or why not (a failed fetch, another kind). */
function stepsOf<B extends Bucket, P extends LivePoint>(
  k: HistoryKind<B, P>,
  result: HistoryResult,
): { ok: true; steps: Steps<B> } | { ok: false; problem: HistoryProblem } {
  if (!result.ok) return result;
  const answer = result.history;
  if (answer.kind !== k.kind) {
    const message = `History answered ${answer.kind}, not ${k.kind}`;
    return { ok: false, problem: { kind: 'invalid', message } };
  }
  // The kind matched, so the steps are this family's buckets.
  return { ok: true, steps: answer as typeof answer & Steps<B> };
}

export interface SpanOptions<B extends Bucket, P extends LivePoint> {
  topic: string;
  /** The span [from, to) to show, in the past: no live tail joins it. */
  from: number;
  to: number;
  token: HistoryToken;
  fetchFn?: typeof fetch;
  onchange: (load: HistoryLoad<B, P>) => void;
}

/**
 * Loads a span of history that does not reach now (a zoom into the past) at `step=auto`, so
 * its steps are as fine as the span allows. Returns the cancel, which aborts the request: a
 * cancelled load reports nothing more.
 */
export function loadSpan<B extends Bucket, P extends LivePoint>(
  k: HistoryKind<B, P>,
  o: SpanOptions<B, P>,
): () => void {
  const controller = new AbortController();
  o.onchange({ status: 'loading' });
  void (async () => {
    const q: HistoryQuery = { topic: o.topic, from: o.from, to: o.to, step: 'auto' };
    const fetchOptions = { token: o.token, signal: controller.signal };
    const result = await fetchHistory(
      q,
      o.fetchFn ? { ...fetchOptions, fetchFn: o.fetchFn } : fetchOptions,
    );
    if (controller.signal.aborted) return;
    const h = stepsOf(k, result);
    if (!h.ok) return o.onchange({ status: 'problem', problem: h.problem });
    // Nothing live to join: every step is drawn as stored (the last one may be whole past `to`).
    const series = new StitchedSeries(stitch(h.steps, []), k.folder);
    const { source, step } = h.steps;
    o.onchange({ status: 'ready', series, source, step });
  })();
  return () => controller.abort();
}
