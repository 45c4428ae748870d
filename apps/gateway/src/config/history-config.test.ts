import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';

describe('history settings', () => {
  it('default to the embedded engine in .pulse/data with the documented retentions and buffer', () => {
    expect(loadConfig({}).history).toEqual({
      enabled: true,
      dataDir: '.pulse/data',
      rawRetentionMs: 48 * 3_600_000,
      minuteRetentionMs: 30 * 86_400_000,
      hourRetentionMs: 365 * 86_400_000,
      bufferMax: 200_000,
      batchMax: 5000,
      flushMs: 500,
    });
  });

  it('take PostgreSQL, durations and off', () => {
    const h = loadConfig({
      HISTORY: 'off',
      DATABASE_URL: 'postgres://history-db.invalid/pulse',
      HISTORY_RAW_RETENTION: '90m',
      HISTORY_1M_RETENTION: '7d',
    }).history;
    expect(h).toMatchObject({
      enabled: false,
      databaseUrl: 'postgres://history-db.invalid/pulse',
      rawRetentionMs: 90 * 60_000,
      minuteRetentionMs: 7 * 86_400_000,
    });
  });

  it('refuse bad values, naming the variable', () => {
    expect(() => loadConfig({ HISTORY: 'maybe' })).toThrow(/HISTORY="maybe": must be on or off/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL=.*postgres:/);
    expect(() => loadConfig({ HISTORY_RAW_RETENTION: '2 weeks' })).toThrow(
      /HISTORY_RAW_RETENTION=.*must be a duration/,
    );
    expect(() => loadConfig({ HISTORY_BUFFER_MAX: '0' })).toThrow(
      /HISTORY_BUFFER_MAX=.*at least 1/,
    );
  });
});
