import {
  ErrorCode,
  HISTORY_RAW_MAX_ROWS,
  HISTORY_RAW_MAX_SPAN_MS,
  parseTopicPattern,
} from '@pulse/protocol';
import { deny, type Denial } from '../auth/denial.js';

/** A checked `GET /history` request (protocol.md §26). */
export interface HistoryRequest {
  readonly topic: string;
  readonly kind: 'readings' | 'ticks';
  readonly from: number;
  readonly to: number;
  /** `auto`, `raw`, or a step in ms (a whole number of seconds). */
  readonly step: 'auto' | 'raw' | number;
}

const RESOLUTIONS: Record<string, HistoryRequest['step']> = {
  auto: 'auto',
  raw: 'raw',
  '1m': 60_000,
  '1h': 3_600_000,
};

const bad = (message: string, topic?: string): Denial =>
  deny(400, ErrorCode.BAD_REQUEST, message, topic === undefined ? {} : { topic });

const millis = (s: string | undefined): number | undefined =>
  s !== undefined && /^\d{1,16}$/.test(s) ? Number(s) : undefined;

/**
 * Reads `topic`, `from`, `to` (default now) and `step` (or its alias `resolution`); `token`
 * is the access gate's (browsers may pass the token in the query). Every
 * refusal is a 400 with a code: `INVALID_TOPIC` for a bad, wildcard or non-data topic,
 * `BAD_REQUEST` for the rest.
 */
export function parseHistoryRequest(
  query: Record<string, unknown>,
  now: number,
): HistoryRequest | Denial {
  const text = (k: string) => (typeof query[k] === 'string' ? (query[k] as string) : undefined);
  for (const k of Object.keys(query))
    if (!['topic', 'from', 'to', 'step', 'resolution', 'token'].includes(k))
      return bad(`unknown parameter ${k}`);
  for (const [k, v] of Object.entries(query))
    if (typeof v !== 'string') return bad(`${k} must be a single value`);
  const topic = text('topic');
  if (!topic) return bad('topic is required');
  const parsed = parseTopicPattern(topic);
  if (typeof parsed === 'string')
    return deny(400, ErrorCode.INVALID_TOPIC, parsed, { topic: topic.slice(0, 200) });
  if (parsed.wildcardAt !== -1)
    return deny(400, ErrorCode.INVALID_TOPIC, 'history takes one topic, not a pattern', { topic });
  if (parsed.family !== 'device' && parsed.family !== 'price')
    return deny(400, ErrorCode.INVALID_TOPIC, 'history is kept for device.* and price.* topics', {
      topic,
    });
  const from = millis(text('from'));
  if (from === undefined) return bad('from is required: epoch milliseconds', topic);
  const to = text('to') === undefined ? now : millis(text('to'));
  if (to === undefined) return bad('to must be epoch milliseconds', topic);
  if (from >= to) return bad('from must be before to', topic);
  if (text('step') !== undefined && text('resolution') !== undefined)
    return bad('give step or resolution, not both', topic);
  const step = stepOf(text('step'), text('resolution'));
  if (step === undefined)
    return bad(
      'step must be auto, raw or whole seconds in ms; resolution auto, raw, 1m or 1h',
      topic,
    );
  if (step === 'raw' && to - from > HISTORY_RAW_MAX_SPAN_MS)
    return bad(`raw spans at most ${HISTORY_RAW_MAX_SPAN_MS} ms`, topic);
  if (
    typeof step === 'number' &&
    Math.ceil((to - (from - (from % step))) / step) > HISTORY_RAW_MAX_ROWS
  )
    return bad(`step too small: at most ${HISTORY_RAW_MAX_ROWS} buckets`, topic);
  return { topic, kind: parsed.family === 'device' ? 'readings' : 'ticks', from, to, step };
}

function stepOf(step?: string, resolution?: string): HistoryRequest['step'] | undefined {
  if (step === undefined) return RESOLUTIONS[resolution ?? 'auto'];
  if (step === 'auto' || step === 'raw') return step;
  const ms = millis(step);
  return ms !== undefined && ms >= 1000 && ms % 1000 === 0 ? ms : undefined;
}
