/** How many items share each key: `countBy(alarms, a => a.deviceId)`. */
export function countBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

/** The distinct keys of `items`. */
export function keySet<T>(items: Iterable<T>, key: (item: T) => string): Set<string> {
  const keys = new Set<string>();
  for (const item of items) keys.add(key(item));
  return keys;
}
