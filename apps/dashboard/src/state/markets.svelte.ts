import type { PriceTick, TopicMessage } from '@pulse/protocol';
import { CandleSeries, isPriceAggregate } from '../lib/candles.js';
import { priceAggregate, type TickPoint } from '../lib/history-buckets.js';
import { KeyedRows } from '../lib/keyed-rows.js';
import { LiveTails } from '../lib/live-tail.js';
import { SeriesStore } from '../lib/series-store.js';

/** What the ticker table shows for one symbol. Replaced, never mutated. */
export interface SymbolRow {
  readonly symbol: string;
  readonly tick: PriceTick;
  /** `last` of the first tick this session saw: the reference for `change`. */
  readonly first: number;
  readonly change: number;
  /** `change` as a percentage of `first`. */
  readonly changePct: number;
  /** Direction of the latest move, for the up/down colour of `last`. */
  readonly direction: 'up' | 'down' | 'flat';
  /** Volume traded since first seen: folded ticks count through the aggregate's volume. */
  readonly volume: number;
  /** Bumped each time `last` moves, so the table can flash the cell once per move. */
  readonly moves: number;
  /** Server time of the latest tick. */
  readonly updatedAt: number;
}

export interface MarketsOptions {
  /** Points kept per symbol (default 18000: 15 min at the 20/s price policy). */
  capacity?: number;
  /** Called after each ingested tick; the app schedules a `flush()` on the next frame. */
  onChange?: () => void;
}

/**
 * Symbols seen on `price.*`: the ticker rows, a series of `last` per symbol for line charts and
 * fine OHLC candles per symbol for candle charts (from the aggregate throttle when it folds).
 */
export class MarketsState {
  /** Symbols in natural order; a new array at most once per flush. */
  rows = $state.raw<readonly SymbolRow[]>([]);
  /** Chart series keyed by topic (`price.<symbol>`), x = server ms, y = last. */
  readonly series: SeriesStore;
  /** Ticks by payload time and seq, for the long (history) charts of the symbols open. */
  readonly tails = new LiveTails<TickPoint>();
  // Plain on purpose: charts listen to the series, not to Svelte.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #candles = new Map<string, CandleSeries>();
  readonly #symbols = new KeyedRows<SymbolRow>();
  readonly #onChange: () => void;

  constructor(options: MarketsOptions = {}) {
    this.series = new SeriesStore(options.capacity ?? 18_000);
    this.#onChange = options.onChange ?? (() => {});
  }

  /** The candles of a symbol (created empty on first use). */
  candles(symbol: string): CandleSeries {
    let c = this.#candles.get(symbol);
    if (!c) {
      c = new CandleSeries();
      this.#candles.set(symbol, c);
    }
    return c;
  }

  /** A `price.<symbol>` message. */
  ingest(msg: TopicMessage<PriceTick>): void {
    const symbol = msg.topic.slice('price.'.length);
    if (!symbol) return;
    const prev = this.#symbols.get(symbol);
    const { last } = msg.payload;
    const first = prev?.first ?? last;
    const before = prev?.tick.last ?? last;
    const traded = isPriceAggregate(msg.agg) ? msg.agg.volume : msg.payload.volume;
    const change = last - first;
    this.#symbols.set(symbol, {
      symbol,
      tick: msg.payload,
      first,
      change,
      changePct: first === 0 ? 0 : (change / first) * 100,
      direction: last > before ? 'up' : last < before ? 'down' : (prev?.direction ?? 'flat'),
      volume: (prev?.volume ?? 0) + traded,
      moves: (prev?.moves ?? 0) + (prev && last !== before ? 1 : 0),
      updatedAt: msg.ts,
    });
    this.series.push(msg.topic, msg.ts, last);
    this.candles(symbol).add(msg.ts, last, msg.payload.volume, msg.agg);
    this.tails.push(msg.topic, {
      t: msg.payload.ts,
      epoch: msg.epoch,
      seq: msg.seq,
      last,
      volume: msg.payload.volume,
      agg: priceAggregate(msg.agg),
    });
    this.#onChange();
  }

  /** Publishes pending changes to `rows`; true when anything changed. */
  flush(): boolean {
    const rows = this.#symbols.flush();
    if (rows) this.rows = rows;
    return rows !== undefined;
  }
}
