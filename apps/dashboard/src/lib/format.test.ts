import { describe, expect, it } from 'vitest';
import {
  formatAgo,
  formatClock,
  formatDelay,
  formatPercent,
  formatPriceChange,
  formatVolume,
  formatNumber,
  formatPrice,
  formatRate,
  formatReading,
  formatRtt,
  formatWindow,
} from './format.js';

describe('format', () => {
  it('shows local wall-clock time with padded fields', () => {
    expect(formatClock(new Date(2024, 0, 2, 3, 4, 5).getTime())).toBe('03:04:05');
    expect(formatClock(new Date(2024, 0, 2, 23, 59, 59, 999).getTime())).toBe('23:59:59');
  });

  it('says how long ago in coarse, non-flickering steps', () => {
    const now = 1_700_000_000_000;
    expect(formatAgo(now, now)).toBe('just now');
    expect(formatAgo(now - 1_500, now)).toBe('just now');
    expect(formatAgo(now - 12_400, now)).toBe('12 s ago');
    expect(formatAgo(now - 3 * 60_000 - 5_000, now)).toBe('3 min ago');
    expect(formatAgo(now - 5 * 3_600_000, now)).toBe('5 h ago');
    expect(formatAgo(now - 3 * 86_400_000, now)).toBe('3 d ago');
    // A timestamp slightly ahead of this clock (server skew) is not "in the future".
    expect(formatAgo(now + 800, now)).toBe('just now');
  });

  it('rounds values by magnitude and shows units the way operators read them', () => {
    expect(formatNumber(1234.56)).toBe('1235');
    expect(formatNumber(123.456)).toBe('123.5');
    expect(formatNumber(21.456)).toBe('21.46');
    expect(formatNumber(0.01234)).toBe('0.012');
    expect(formatNumber(Number.NaN)).toBe('—');
    expect(formatReading(21.5, 'C')).toBe('21.50 °C');
    expect(formatReading(48, '%')).toBe('48.00 %');
    expect(formatReading(0.25, 'g')).toBe('0.250 g');
    expect(formatReading(3, '')).toBe('3.00');
  });

  it('formats prices with decimals chosen by magnitude', () => {
    expect(formatPrice(101.254)).toBe('101.25');
    expect(formatPrice(0.004512)).toBe('0.004512');
    expect(formatPrice(0.5)).toBe('0.5000');
    expect(formatPrice(1.08342)).toBe('1.0834');
  });

  it('formats rates, round trips, delays and windows', () => {
    expect(formatRate(0)).toBe('0/s');
    expect(formatRate(3.44)).toBe('3.4/s');
    expect(formatRate(412.4)).toBe('412/s');
    expect(formatRate(3456)).toBe('3.5k/s');
    expect(formatRtt(undefined)).toBe('—');
    expect(formatRtt(0.4)).toBe('<1 ms');
    expect(formatRtt(12.6)).toBe('13 ms');
    expect(formatRtt(1234)).toBe('1.2 s');
    expect(formatDelay(420)).toBe('0.4 s');
    expect(formatDelay(2600)).toBe('3 s');
    expect(formatWindow(60_000)).toBe('1 min');
    expect(formatWindow(15 * 60_000)).toBe('15 min');
    expect(formatWindow(30_000)).toBe('30 s');
    expect(formatWindow(3_600_000)).toBe('1 h');
    expect(formatWindow(86_400_000)).toBe('24 h');
    expect(formatWindow(30 * 86_400_000)).toBe('30 d');
  });

  it('formats ticker columns: signed change in the price’s decimals, percent, volume', () => {
    expect(formatPriceChange(1.5, 190)).toBe('+1.50');
    expect(formatPriceChange(-0.0042, 1.08)).toBe('\u22120.0042'); // FX: four decimals
    expect(formatPriceChange(-0.001, 190)).toBe('0.00'); // rounds to zero: no sign
    expect(formatPriceChange(-0.0042, 0.5)).toBe('\u22120.0042');
    expect(formatPriceChange(0, 100)).toBe('0.00');
    expect(formatPercent(0.987)).toBe('+0.99 %');
    expect(formatPercent(-12.345)).toBe('\u221212.35 %');
    expect(formatPercent(0.001)).toBe('0.00 %');
    expect(formatVolume(950.4)).toBe('950');
    expect(formatVolume(1234)).toBe('1.23k');
    expect(formatVolume(12_400)).toBe('12.4k');
    expect(formatVolume(3_210_000)).toBe('3.21M');
  });
});
