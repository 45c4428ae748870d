import type { PriceTick, TopicMessage } from '@pulse/protocol';
import { KeyedRows } from '../lib/keyed-rows.js';
import { SeriesStore } from '../lib/series-store.js';

/** What the symbol list shows for one symbol. Replaced, never mutated. */
export interface SymbolRow {
  readonly symbol: string;
  readonly tick: PriceTick;
  /** `last` of the first tick this session saw: the reference for `change`. */
  readonly first: number;
  readonly change: number;
  /** Direction of the latest move, for the up/down colour of `last`. */
  readonly direction: 'up' | 'down' | 'flat';
  /** Server time of the latest tick. */
  readonly updatedAt: number;
}

export interface MarketsOptions {
  /** Points kept per symbol (default 18000: 15 min at the 20/s price policy). */
  capacity?: number;
  /** Called after each ingested tick; the app schedules a `flush()` on the next frame. */
  onChange?: () => void;
}

/** Symbols seen on `price.*` with last and change since first seen, and a series of `last`. */
export class MarketsState {
  /** Symbols in natural order; a new array at most once per flush. */
  rows = $state.raw<readonly SymbolRow[]>([]);
  /** Chart series keyed by topic (`price.<symbol>`), x = server ms, y = last. */
  readonly series: SeriesStore;
  readonly #symbols = new KeyedRows<SymbolRow>();
  readonly #onChange: () => void;

  constructor(options: MarketsOptions = {}) {
    this.series = new SeriesStore(options.capacity ?? 18_000);
    this.#onChange = options.onChange ?? (() => {});
  }

  /** A `price.<symbol>` message. */
  ingest(msg: TopicMessage<PriceTick>): void {
    const symbol = msg.topic.slice('price.'.length);
    if (!symbol) return;
    const prev = this.#symbols.get(symbol);
    const last = msg.payload.last;
    const first = prev?.first ?? last;
    const before = prev?.tick.last ?? last;
    this.#symbols.set(symbol, {
      symbol,
      tick: msg.payload,
      first,
      change: last - first,
      direction: last > before ? 'up' : last < before ? 'down' : (prev?.direction ?? 'flat'),
      updatedAt: msg.ts,
    });
    this.series.push(msg.topic, msg.ts, last);
    this.#onChange();
  }

  /** Publishes pending changes to `rows`; true when anything changed. */
  flush(): boolean {
    const rows = this.#symbols.flush();
    if (rows) this.rows = rows;
    return rows !== undefined;
  }
}
