/**
 * Joining a fetched history window with the live stream, so a long chart has no seam.
 *
 * The store places a message by its payload `ts` and answers buckets [t, t + step) with
 * readings whose `ts` is before the query's `to` (exclusive). The live tail holds every message
 * delivered since some sequence number, by the same payload `ts`. The join point (`cut`) is the
 * first bucket boundary after the tail's first point (or `liveFrom`, when the caller knows
 * the live points are complete from an earlier time), or the history's `to` when that comes first: everything stamped before the cut is drawn from history buckets (whole buckets, so none
 * is counted in part), everything from the cut on from the live tail, and each live message
 * once (by epoch and seq). This is exact when the store holds every message stamped before
 * `to` — the console asks for `to` a flush interval before now for that reason — and the tail
 * starts no later than `to`; otherwise the span in neither is reported as `gapMs`.
 *
 * Rollup answers (`1m`, `1h`) hold whole steps: the last one may count readings at or after
 * `to`. `wholeSteps` trims such an answer to its last boundary; the console reads the rest of
 * that step raw (`step=raw`, clipped at `to` exactly) and passes it as live points.
 */

/** A live message reduced to what the stitch needs: payload time, epoch and seq. */
export interface LivePoint {
  /** The payload's `ts` (device or feed time), the store's time axis too. */
  readonly t: number;
  readonly epoch: string;
  readonly seq: number;
}

/** A history step: the messages whose `ts` falls in [t, t + step). */
export interface Bucket {
  t: number;
  count: number;
}

/** The part of a history response the stitch reads (readings and ticks alike). */
export interface HistoryWindow<B extends Bucket> {
  readonly from: number;
  readonly to: number;
  readonly step: number;
  readonly points: readonly B[];
}

/** How live points of one kind fold into a bucket (to keep a long-running tail bounded). */
export interface BucketFolder<B extends Bucket, P extends LivePoint> {
  /** A new bucket starting at `t` holding `p`. */
  open(t: number, p: P): B;
  /** Adds `p` (later than everything in `b`) to `b`. */
  add(b: B, p: P): void;
}

export interface Stitched<B extends Bucket, P extends LivePoint> {
  /** History buckets before the cut, ascending by `t`. */
  buckets: B[];
  /** Live points from the cut on, ascending by (t, seq), each (epoch, seq) once. */
  tail: P[];
  /** Buckets cover [from, cut); the tail covers [cut, …). */
  cut: number;
  step: number;
  from: number;
  /**
   * False when the first live point is stamped at or after the history's `to`: messages
   * delivered before the tail opened and stamped in [to, first) are in neither (`gapMs` long).
   */
  seamless: boolean;
  gapMs: number;
}

/**
 * Where history hands over to live: the first bucket boundary (`from + k·step`) after the first
 * live point — strictly after, since an earlier message stamped the same millisecond may be in
 * history only — capped at `to`. `completeFrom`: live is known complete from there (itself a
 * boundary or `to`), which joins there directly.
 */
export function joinPoint(
  from: number,
  to: number,
  step: number,
  firstLive: number | undefined,
  completeFrom?: number,
): number {
  if (completeFrom !== undefined && (firstLive === undefined || completeFrom <= firstLive)) {
    return Math.min(to, Math.max(from, completeFrom));
  }
  if (firstLive === undefined || firstLive >= to) return to;
  if (firstLive < from) return from;
  return Math.min(to, from + (Math.floor((firstLive - from) / step) + 1) * step);
}

/**
 * `history` cut back to its last step boundary, when its buckets are whole (a rollup answer
 * whose last step may hold readings at or after `to`); unchanged when they are clipped at `to`.
 */
export function wholeSteps<B extends Bucket>(
  history: HistoryWindow<B>,
  clippedAtTo: boolean,
): HistoryWindow<B> {
  if (clippedAtTo) return history;
  const to = history.from + Math.floor((history.to - history.from) / history.step) * history.step;
  if (to === history.to) return history;
  return { ...history, to, points: history.points.filter((b) => b.t < to) };
}

/** Orders by time, then seq (two messages stamped the same millisecond keep bus order). */
export function byTimeThenSeq(a: LivePoint, b: LivePoint): number {
  return a.t - b.t || a.seq - b.seq;
}

/**
 * Joins `history` and the live points (in arrival order, possibly with duplicates) into one
 * series. `liveFrom`: the live points are known complete from this time on (a raw read of the
 * span right after the history), not only from the first one. Pure: no input is changed.
 */
export function stitch<B extends Bucket, P extends LivePoint>(
  history: HistoryWindow<B>,
  live: Iterable<P>,
  liveFrom?: number,
): Stitched<B, P> {
  const unique = dedupe(live);
  const arrival = unique[0];
  const start =
    liveFrom === undefined ? arrival?.t : arrival ? Math.min(liveFrom, arrival.t) : liveFrom;
  const cut = joinPoint(history.from, history.to, history.step, arrival?.t, liveFrom);
  const buckets = history.points.filter((b) => b.t < cut);
  const tail = unique.filter((p) => p.t >= cut && p.t >= history.from).sort(byTimeThenSeq);
  // Only the first message delivered tells where the tail begins: later ones may carry an
  // older `ts` (a slow device) and still be complete from there on.
  const seamless = start === undefined || start < history.to || start === liveFrom;
  const gapMs = start === undefined || seamless ? 0 : Math.max(0, start - history.to);
  return { buckets, tail, cut, step: history.step, from: history.from, seamless, gapMs };
}

/** Each (epoch, seq) once, keeping arrival order (a re-subscription replays what it had). */
function dedupe<P extends LivePoint>(live: Iterable<P>): P[] {
  const seen = new Set<string>();
  const out: P[] = [];
  for (const p of live) {
    const id = `${p.epoch}:${p.seq}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(p);
  }
  return out;
}

/**
 * A stitched series that keeps growing live: `append` adds each new message once, after the
 * cut, in (t, seq) order; when the tail grows past `maxTail` its oldest whole steps fold into
 * buckets, so an open 30-day chart stays bounded however long it runs.
 */
export class StitchedSeries<B extends Bucket, P extends LivePoint> {
  readonly buckets: B[];
  readonly tail: P[];
  readonly step: number;
  readonly from: number;
  /** Where the tail starts: everything earlier is in `buckets`. Moves forward as it folds. */
  cut: number;
  readonly seamless: boolean;
  readonly gapMs: number;
  /** Live messages stamped before the cut that arrived after the join, not drawn. */
  late = 0;
  readonly #folder: BucketFolder<B, P>;
  readonly #maxTail: number;
  readonly #last = new Map<string, number>();

  constructor(stitched: Stitched<B, P>, folder: BucketFolder<B, P>, maxTail = 4000) {
    this.buckets = stitched.buckets.slice();
    this.tail = stitched.tail.slice();
    this.step = stitched.step;
    this.from = stitched.from;
    this.cut = stitched.cut;
    this.seamless = stitched.seamless;
    this.gapMs = stitched.gapMs;
    this.#folder = folder;
    this.#maxTail = Math.max(2, maxTail);
    for (const p of this.tail) this.#remember(p);
  }

  /** Adds a live message; false when it is a duplicate or stamped before the cut. */
  append(p: P): boolean {
    const last = this.#last.get(p.epoch);
    if (last !== undefined && p.seq <= last) return false;
    this.#remember(p);
    if (p.t < this.cut) {
      // Its step is already drawn from history (or folded): adding it would count it twice
      // when the store has it. Counted, so a test or tool can see it happen.
      this.late++;
      return false;
    }
    // Nearly always the newest: walk back from the end for the rare slightly-late one.
    let i = this.tail.length;
    while (i > 0 && byTimeThenSeq(this.tail[i - 1]!, p) > 0) i--;
    // The same message under another epoch label (a raw read, which carries none): once.
    const before = this.tail[i - 1];
    if (before && before.t === p.t && before.seq === p.seq) return false;
    this.tail.splice(i, 0, p);
    if (this.tail.length > this.#maxTail) this.#fold();
    return true;
  }

  /** Folds the oldest half of the tail, whole steps only, into buckets. */
  #fold(): void {
    const half = this.tail[this.tail.length >> 1]!.t;
    const until = this.from + Math.floor((half - this.from) / this.step) * this.step;
    if (until <= this.cut) return; // less than a step in the tail: nothing whole to fold
    let n = 0;
    // When the cut was the history's `to` (mid-step), the first fold continues its last bucket.
    let open: B | undefined = this.buckets[this.buckets.length - 1];
    for (; n < this.tail.length && this.tail[n]!.t < until; n++) {
      const p = this.tail[n]!;
      const t = this.from + Math.floor((p.t - this.from) / this.step) * this.step;
      if (open && open.t === t) this.#folder.add(open, p);
      else {
        open = this.#folder.open(t, p);
        this.buckets.push(open);
      }
    }
    this.tail.splice(0, n);
    this.cut = until;
  }

  #remember(p: P): void {
    const last = this.#last.get(p.epoch);
    if (last === undefined || p.seq > last) this.#last.set(p.epoch, p.seq);
  }
}
