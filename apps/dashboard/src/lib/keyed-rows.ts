const byKey = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/**
 * The latest immutable row per key, published as one sorted array on `flush()`.
 * Writes between flushes only replace map entries; the array (what the UI renders) is
 * rebuilt at most once per flush, and rows that did not change keep their identity so a
 * keyed `{#each}` re-renders only what moved.
 */
export class KeyedRows<R> {
  readonly #rows = new Map<string, R>();
  /** Keys in display order (natural sort: d2 before d10), re-sorted only when a key is added. */
  #order: string[] = [];
  #orderStale = false;
  #dirty = false;

  /** The current row for `key`. */
  get(key: string): R | undefined {
    return this.#rows.get(key);
  }

  /** Replaces (or adds) the row for `key`. */
  set(key: string, row: R): void {
    if (!this.#rows.has(key)) {
      this.#order.push(key);
      this.#orderStale = true;
    }
    this.#rows.set(key, row);
    this.#dirty = true;
  }

  /** The sorted rows when anything changed since the last flush, else undefined. */
  flush(): R[] | undefined {
    if (!this.#dirty) return undefined;
    this.#dirty = false;
    if (this.#orderStale) {
      this.#order.sort(byKey.compare);
      this.#orderStale = false;
    }
    return this.#order.map((key) => this.#rows.get(key)!);
  }
}
