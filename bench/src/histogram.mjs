// A log-linear latency histogram in microseconds (HdrHistogram's layout with 64 sub-buckets per
// power of two: under 1.6 % error, fixed memory, and histograms from several processes add up).

const SUB = 64;
const SUB_BITS = 6;
/** Enough buckets for values up to 2^31 µs (35 minutes). */
const SIZE = SUB * 26;

/** Bucket index of a value in µs (values below 128 µs are exact). */
function indexOf(us) {
  if (us < 2 * SUB) return us;
  const shift = 31 - Math.clz32(us) - SUB_BITS;
  return SUB * shift + (us >>> shift);
}

/** Lowest value in µs that falls into bucket `i`. */
function lowerBound(i) {
  if (i < 2 * SUB) return i;
  const shift = Math.floor(i / SUB) - 1;
  return (i - SUB * shift) * 2 ** shift;
}

/** Counts latencies; `toJSON()` is what crosses process boundaries. */
export class Histogram {
  counts = new Float64Array(SIZE);
  count = 0;
  sumUs = 0;
  maxUs = 0;

  /** Records one latency given in milliseconds (negative clock noise counts as 0). */
  recordMs(ms) {
    let us = Math.round(ms * 1000);
    if (!(us > 0)) us = 0;
    if (us > 0x7fffffff) us = 0x7fffffff;
    this.counts[indexOf(us)]++;
    this.count++;
    this.sumUs += us;
    if (us > this.maxUs) this.maxUs = us;
  }

  /** Sparse form: [[bucket, count], ...]. */
  toJSON() {
    const buckets = [];
    for (let i = 0; i < SIZE; i++) if (this.counts[i]) buckets.push([i, this.counts[i]]);
    return { buckets, count: this.count, sumUs: this.sumUs, maxUs: this.maxUs };
  }

  /** Adds a histogram received as JSON. */
  add(json) {
    for (const [i, c] of json.buckets) this.counts[i] += c;
    this.count += json.count;
    this.sumUs += json.sumUs;
    if (json.maxUs > this.maxUs) this.maxUs = json.maxUs;
    return this;
  }

  /** Value in ms below which `q` (0..1) of the samples fall (bucket midpoint). */
  quantileMs(q) {
    if (this.count === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < SIZE; i++) {
      seen += this.counts[i];
      if (seen >= rank) {
        const lo = lowerBound(i);
        const hi = lowerBound(i + 1);
        return Math.min((lo + hi - 1) / 2, this.maxUs) / 1000;
      }
    }
    return this.maxUs / 1000;
  }

  /** p50/p90/p99/p99.9/max/mean in ms, rounded to µs. */
  summary() {
    const r = (x) => (x === null ? null : Math.round(x * 1000) / 1000);
    return {
      count: this.count,
      p50: r(this.quantileMs(0.5)),
      p90: r(this.quantileMs(0.9)),
      p99: r(this.quantileMs(0.99)),
      p999: r(this.quantileMs(0.999)),
      max: this.count ? r(this.maxUs / 1000) : null,
      mean: this.count ? r(this.sumUs / this.count / 1000) : null,
    };
  }
}
