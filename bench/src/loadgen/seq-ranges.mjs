// Sets of sequence numbers kept as sorted [first, last] runs: gapless streams cost one pair.

/** Collects sequence numbers; cheap when they mostly arrive in order. */
export class SeqRanges {
  /** @type {[number, number][]} */
  runs = [];
  unordered = false;

  add(seq) {
    const last = this.runs[this.runs.length - 1];
    if (last && seq === last[1] + 1) last[1] = seq;
    else if (last && seq >= last[0] && seq <= last[1]) return;
    else {
      if (last && seq < last[0]) this.unordered = true;
      this.runs.push([seq, seq]);
    }
  }

  /** Sorted, merged runs. */
  toJSON() {
    return normalize(this.runs, this.unordered);
  }
}

function normalize(runs, unordered) {
  const sorted = unordered ? [...runs].sort((a, b) => a[0] - b[0]) : runs;
  const out = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** How many numbers in `want` (runs) are missing from `have` (runs); both sorted and merged. */
export function countMissing(want, have) {
  let missing = 0;
  let j = 0;
  for (const [a, b] of want) {
    let cursor = a;
    while (cursor <= b) {
      while (j < have.length && have[j][1] < cursor) j++;
      const h = have[j];
      if (!h || h[0] > b) {
        missing += b - cursor + 1;
        break;
      }
      if (h[0] > cursor) missing += h[0] - cursor;
      cursor = h[1] + 1;
    }
  }
  return missing;
}

/** Total count of numbers in runs. */
export const runsSize = (runs) => runs.reduce((n, [a, b]) => n + b - a + 1, 0);
