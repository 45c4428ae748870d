/** A tradable symbol with a plausible starting price and how jumpy it is. */
export interface SymbolSpec {
  readonly symbol: string;
  readonly start: number;
  /** Multiplies the calm volatility: crypto moves more than a megacap stock. */
  readonly volScale: number;
}

const KNOWN: readonly SymbolSpec[] = [
  { symbol: 'AAPL', start: 190, volScale: 1 },
  { symbol: 'MSFT', start: 410, volScale: 0.9 },
  { symbol: 'BTC-USD', start: 65_000, volScale: 2.5 },
  { symbol: 'NVDA', start: 120, volScale: 1.8 },
  { symbol: 'AMZN', start: 180, volScale: 1.1 },
  { symbol: 'ETH-USD', start: 3_200, volScale: 3 },
  { symbol: 'GOOG', start: 165, volScale: 1 },
  { symbol: 'TSLA', start: 240, volScale: 2 },
  { symbol: 'EUR-USD', start: 1.08, volScale: 0.3 },
  { symbol: 'META', start: 500, volScale: 1.3 },
];

/** The first `count` symbols: well-known names first, then SYM11, SYM12, ... */
export function symbolSpecs(count: number): SymbolSpec[] {
  const out: SymbolSpec[] = KNOWN.slice(0, count);
  for (let i = out.length + 1; i <= count; i++)
    out.push({ symbol: `SYM${i}`, start: 100, volScale: 1 });
  return out;
}
