import { describe, expect, it } from 'vitest';
import { formatNumber, formatPrice, formatReading } from './format.js';
import { formatKey, formatterFor } from './value-format.js';

describe('formatterFor', () => {
  it('names the same formatting as the functions it stands for', () => {
    for (const v of [0, 0.004512, 1.08341, 21.5, 101.257, 12345.6, NaN]) {
      expect(formatterFor({ kind: 'number' })(v)).toBe(formatNumber(v));
      expect(formatterFor({ kind: 'price' })(v)).toBe(formatPrice(v));
      expect(formatterFor({ kind: 'reading', unit: 'C' })(v)).toBe(formatReading(v, 'C'));
    }
  });

  it('survives structured clone, which a function would not', () => {
    const format = structuredClone({ kind: 'reading', unit: '%' } as const);
    expect(formatterFor(format)(48)).toBe('48.00 %');
    expect(formatKey(format)).toBe('reading:%');
  });
});
