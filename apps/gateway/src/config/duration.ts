import type { ParseResult } from './flow-settings.js';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `3600`, `90s`, `30m`, `24h` or `7d` → seconds; shared by `TOKEN_MAX_TTL` and the token CLI. */
export function parseDuration(text: string): ParseResult<number> {
  const m = /^(\d+)([smhd]?)$/.exec(text.trim());
  const seconds = m ? Number(m[1]) * (UNITS[m[2] || 's'] ?? 1) : 0;
  if (!m || seconds <= 0)
    return { ok: false, message: 'must be a duration such as 3600, 90s, 30m, 24h or 7d' };
  return { ok: true, value: seconds };
}

/** Seconds as the shortest exact `h`/`m`/`s` text, for the start-up summary. */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const)
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  return `${seconds}s`;
}
