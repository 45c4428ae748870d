import type { ParseResult } from './flow-settings.js';

/**
 * A threshold rule for one metric: the reading is above (or below) `threshold` for at least
 * `forMs`. Written `temperature>30:10s`; the duration may be `ms`, `s` or `m` (default `s`) and
 * may be left out (`battery<15` = at once).
 */
export interface AlarmRule {
  readonly metric: string;
  readonly op: '>' | '<';
  readonly threshold: number;
  readonly forMs: number;
  /** The rule as the operator reads it in each alarm: `temperature>30:10s`. */
  readonly text: string;
}

/** What `npm start` shows without configuration: alarms the simulator trips now and then. */
export const DEFAULT_ALARM_RULES = 'temperature>28:10s;vibration>10:0s;battery<15:0s';

const RULE = /^([A-Za-z0-9_-]{1,64})\s*([<>])\s*(-?\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?)(ms|s|m)?)?$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000 } as const;

/** `temperature>30:10s;battery<15:0s` — `;`-separated; `none` (or empty) means no rules. */
export function parseAlarmRules(text: string): ParseResult<AlarmRule[]> {
  const out: AlarmRule[] = [];
  if (text.trim() === 'none') return { ok: true, value: out };
  for (const part of text
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = RULE.exec(part);
    if (!m) {
      return {
        ok: false,
        message: `"${part}" is not metric>threshold:duration or metric<threshold:duration (e.g. temperature>30:10s)`,
      };
    }
    const [, metric, op, threshold, amount, unit] = m;
    const forMs =
      amount === undefined ? 0 : Number(amount) * UNIT_MS[(unit ?? 's') as keyof typeof UNIT_MS];
    if (forMs > 24 * 3_600_000) {
      return { ok: false, message: `"${part}": the duration must be at most 24 h` };
    }
    out.push({
      metric: metric!,
      op: op as '>' | '<',
      threshold: Number(threshold),
      forMs: Math.round(forMs),
      text: `${metric}${op}${threshold}:${formatDuration(Math.round(forMs))}`,
    });
  }
  return { ok: true, value: out };
}

function formatDuration(ms: number): string {
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
