import {
  ErrorCode,
  MAX_HISTORY_REQUEST,
  isTopicPattern,
  parseEventId,
  topicMatches,
  type ResumePosition,
  type Subscribe,
} from '@pulse/protocol';
import { deny, type Denial } from '../auth/denial.js';

const KNOWN = new Set(['topics', 'maxRate', 'history', 'lastEventId', 'token']);

export interface SseRequest {
  /** One `subscribe` per requested topic, with the resume position from the event id. */
  readonly subscribes: readonly Subscribe[];
  /** The positions the stream resumes from (they seed its event ids). */
  readonly resume: ReadonlyMap<string, ResumePosition>;
}

/**
 * `GET /sse?topics=a,b;maxRate=2;history=60&maxRate=5&history=1&lastEventId=...`: each topic
 * checked like a `subscribe` frame, with its own `maxRate` and `history` where it gives them.
 * `Last-Event-ID` (the header EventSource sends on reconnect) wins over `lastEventId` (for the
 * first request, or clients that cannot set headers). Unknown parameters are refused so that a
 * typo (`topic=`) is not silently a stream of nothing.
 */
export function parseSseRequest(
  url: string,
  lastEventIdHeader: string | undefined,
  maxSubscriptions: number,
): SseRequest | Denial {
  const params = new URL(url, 'http://sse').searchParams;
  for (const key of new Set(params.keys())) {
    if (!KNOWN.has(key)) return bad(`unknown parameter "${key.slice(0, 40)}"`);
    if (params.getAll(key).length > 1) return bad(`give "${key}" once`);
  }
  // Each entry is a topic or pattern, optionally with its own options:
  // `price.*;maxRate=5;history=100` (the stream-wide `maxRate`/`history` are the defaults).
  const entries = (params.get('topics') ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const maxRate = number(params.get('maxRate'), okRate);
  if (maxRate === null) return bad(RATE_RULE);
  const history = number(params.get('history'), okHistory);
  if (history === null) return bad(HISTORY_RULE);
  const wanted: Wanted[] = [];
  for (const entry of entries) {
    const parsed = parseEntry(entry, { maxRate, history });
    if ('status' in parsed) return parsed;
    wanted.push(parsed);
  }
  const topics = wanted.map((w) => w.topic);
  if (new Set(topics).size !== topics.length) return bad('a topic is listed twice');
  if (topics.length > maxSubscriptions) return bad(`at most ${maxSubscriptions} topics`);

  const idText = lastEventIdHeader ?? params.get('lastEventId') ?? undefined;
  const parsed =
    idText === undefined || idText === ''
      ? new Map<string, ResumePosition>()
      : parseEventId(idText);
  if (typeof parsed === 'string') return bad(parsed);
  const resume = new Map(
    [...parsed].filter(([topic]) => topics.some((p) => topicMatches(p, topic))),
  );

  const subscribes = wanted.map(({ topic, maxRate, history }, i): Subscribe => {
    const base = {
      type: 'subscribe' as const,
      id: i + 1,
      topic,
      ...(maxRate === undefined ? {} : { maxRate }),
    };
    if (!topic.includes('*')) {
      const at = resume.get(topic);
      if (at) return { ...base, since: at.seq, epoch: at.epoch };
    } else {
      const positions = Object.fromEntries([...resume].filter(([t]) => topicMatches(topic, t)));
      if (Object.keys(positions).length > 0) return { ...base, positions };
    }
    return history === undefined ? base : { ...base, history };
  });
  return { subscribes, resume };
}

interface Wanted {
  readonly topic: string;
  readonly maxRate: number | undefined;
  readonly history: number | undefined;
}

const RATE_RULE = 'maxRate must be a number above 0, at most 1000';
const HISTORY_RULE = `history must be a whole number from 0 to ${MAX_HISTORY_REQUEST}`;
const okRate = (n: number) => n > 0 && n <= 1000;
const okHistory = (n: number) => Number.isInteger(n) && n >= 0 && n <= MAX_HISTORY_REQUEST;

/** `topic[;maxRate=n][;history=n]`, each option at most once; absent ones take the defaults. */
function parseEntry(
  entry: string,
  defaults: { maxRate: number | undefined; history: number | undefined },
): Wanted | Denial {
  const [topic = '', ...options] = entry.split(';').map((p) => p.trim());
  if (!isTopicPattern(topic))
    return deny(400, ErrorCode.INVALID_TOPIC, `not a topic or pattern: "${topic.slice(0, 200)}"`);
  let { maxRate, history } = defaults;
  const seen = new Set<string>();
  for (const option of options) {
    const [key = '', value = ''] = option.split('=');
    if (seen.has(key)) return bad(`give "${key.slice(0, 40)}" once for ${topic}`);
    seen.add(key);
    if (key === 'maxRate') {
      const n = number(value, okRate);
      if (n === null || n === undefined) return bad(`${topic}: ${RATE_RULE}`);
      maxRate = n;
    } else if (key === 'history') {
      const n = number(value, okHistory);
      if (n === null || n === undefined) return bad(`${topic}: ${HISTORY_RULE}`);
      history = n;
    } else return bad(`${topic}: unknown option "${key.slice(0, 40)}" (maxRate, history)`);
  }
  return { topic, maxRate, history };
}

function bad(message: string): Denial {
  return deny(400, ErrorCode.BAD_REQUEST, message);
}

/** undefined when absent, null when present but not acceptable. */
function number(text: string | null, ok: (n: number) => boolean): number | undefined | null {
  if (text === null) return undefined;
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) && ok(n) ? n : null;
}
