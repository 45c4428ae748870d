// Medians across repeated runs and the small summaries the tables are made of.

/** Median of the finite numbers in `xs` (null when there are none). */
export function median(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/**
 * Combines repeated runs of the same measurement: numbers become their median, booleans what
 * most runs say, arrays of numbers of one length are combined element by
 * element, anything else is taken from the first run.
 */
export function deepMedian(runs) {
  const first = runs[0];
  if (Array.isArray(first) && runs.length > 1) {
    const sameShape = runs.every((r) => Array.isArray(r) && r.length === first.length);
    const numeric = first.every((x) => typeof x === 'number');
    return sameShape && numeric ? first.map((_, i) => median(runs.map((r) => r[i]))) : first;
  }
  if (runs.length === 1 || first === null || typeof first !== 'object' || Array.isArray(first)) {
    if (typeof first === 'number') return median(runs);
    if (typeof first === 'boolean') return runs.filter(Boolean).length * 2 > runs.length;
    return first;
  }
  const out = {};
  for (const key of Object.keys(first)) out[key] = deepMedian(runs.map((r) => r?.[key]));
  return out;
}

/** min / median / max of per-subscriber counts, and how many got nothing. */
export function spread(counts) {
  if (counts.length === 0) return { n: 0, min: null, p50: null, max: null, zero: 0 };
  const v = [...counts].sort((a, b) => a - b);
  return {
    n: v.length,
    min: v[0],
    p50: v[v.length >> 1],
    max: v[v.length - 1],
    zero: v.filter((x) => x === 0).length,
  };
}

/** Rounds to `d` decimals, keeping null. */
export const round = (x, d = 1) =>
  typeof x === 'number' && Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null;

/** Compact number: thousands separators, at most 3 significant decimals below 10. */
export function fmt(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (typeof x !== 'number') return String(x);
  if (Math.abs(x) >= 100) return Math.round(x).toLocaleString('en-US');
  if (Math.abs(x) >= 10) return (Math.round(x * 10) / 10).toString();
  return (Math.round(x * 1000) / 1000).toString();
}
