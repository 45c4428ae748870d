import { formatNumber, formatPrice, formatReading } from './format.js';

/**
 * How a chart formats its values, as data rather than a function: a chart drawn in a Web
 * Worker gets its options by postMessage, and functions do not survive structured clone.
 */
export type ValueFormat =
  | { readonly kind: 'number' }
  | { readonly kind: 'price' }
  | { readonly kind: 'reading'; readonly unit: string };

export const NUMBER_FORMAT: ValueFormat = { kind: 'number' };
export const PRICE_FORMAT: ValueFormat = { kind: 'price' };

/** The formatting function a `ValueFormat` names. */
export function formatterFor(format: ValueFormat): (value: number) => string {
  switch (format.kind) {
    case 'price':
      return formatPrice;
    case 'reading': {
      const unit = format.unit;
      return (value) => formatReading(value, unit);
    }
    case 'number':
      return formatNumber;
  }
}

/** One string per format, to tell a real change of format from a re-passed equal one. */
export function formatKey(format: ValueFormat): string {
  return format.kind === 'reading' ? `reading:${format.unit}` : format.kind;
}
