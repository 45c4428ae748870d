/** Display formatting shared by the lists, the chart axis and the connection bar. */

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Local wall-clock time `HH:MM:SS` (chart ticks, tooltips). */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** How long ago `then` was, coarse enough not to flicker: `just now`, `12 s ago`, `3 min ago`. */
export function formatAgo(then: number, now: number): string {
  const s = Math.max(0, Math.floor((now - then) / 1000));
  if (s < 2) return 'just now';
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} d ago`;
}

/** A number with about four significant digits, never in exponent form for everyday magnitudes. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  const digits = abs >= 1000 ? 0 : abs >= 100 ? 1 : abs >= 1 ? 2 : 3;
  return value.toFixed(digits);
}

/** A sensor value with its unit: `21.50 °C`, `48.0 %`. */
export function formatReading(value: number, unit: string): string {
  const u = unit === 'C' ? '°C' : unit === 'F' ? '°F' : unit;
  if (!u) return formatNumber(value);
  return u === '%' ? `${formatNumber(value)} %` : `${formatNumber(value)} ${u}`;
}

/**
 * Decimals that suit a price of this magnitude: cents from 10 up, four decimals below (FX
 * quotes such as 1.0834 move in the fourth), six for sub-cent prices.
 */
function priceDecimals(magnitude: number): number {
  const abs = Math.abs(magnitude);
  return abs >= 10 ? 2 : abs >= 0.01 ? 4 : 6;
}

/** A price with a fixed number of decimals chosen by magnitude (`101.25`, `0.004512`). */
export function formatPrice(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return value.toFixed(priceDecimals(value));
}

/** A price change with its sign, in the decimals of the base price: `+1.25`, `\u22120.0040`. */
export function formatPriceChange(change: number, base: number): string {
  const decimals = priceDecimals(Math.max(Math.abs(base), Math.abs(change)));
  return signed(Math.abs(change).toFixed(decimals), change);
}

function signed(text: string, sign: number): string {
  // Zero after rounding gets no sign, so a flat ticker reads "0.00", not "+0.00".
  if (Number(text) === 0) return text;
  return sign > 0 ? `+${text}` : `\u2212${text}`;
}

/** Events per second: `0/s`, `12/s`, `3.4k/s`. */
export function formatRate(perSecond: number): string {
  if (perSecond < 0.05) return '0/s';
  if (perSecond < 10) return `${perSecond.toFixed(1)}/s`;
  if (perSecond < 1000) return `${Math.round(perSecond)}/s`;
  return `${(perSecond / 1000).toFixed(1)}k/s`;
}

/** Round-trip time: `<1 ms`, `12 ms`, `1.2 s`; `—` when unknown. */
export function formatRtt(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1) return '<1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A duration for "retrying in …": `0.4 s`, `3 s`. */
export function formatDelay(ms: number): string {
  return ms < 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/** A time window for labels: `1 min`, `15 min`, `30 s`. */
export function formatWindow(ms: number): string {
  if (ms >= 2 * 86_400_000) return `${Math.round(ms / 86_400_000)} d`;
  if (ms >= 3_600_000) return `${Math.round(ms / 3_600_000)} h`;
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}

/** A traded volume, compact: `950`, `12.4k`, `3.21M`. */
export function formatVolume(volume: number): string {
  if (!Number.isFinite(volume)) return '—';
  const abs = Math.abs(volume);
  if (abs < 1000) return String(Math.round(volume));
  if (abs < 1_000_000) return `${(volume / 1000).toFixed(abs < 10_000 ? 2 : 1)}k`;
  return `${(volume / 1_000_000).toFixed(2)}M`;
}

/** A change in percent with its sign: `+0.98 %`, `\u22120.31 %`, `0.00 %`. */
export function formatPercent(pct: number): string {
  return `${signed(Math.abs(pct).toFixed(2), pct)} %`;
}
