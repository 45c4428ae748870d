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
 * `GET /sse?topics=a,b&maxRate=5&history=1&lastEventId=...`: checked like a `subscribe` frame.
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
  const topics = (params.get('topics') ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  for (const topic of topics) {
    if (!isTopicPattern(topic))
      return deny(400, ErrorCode.INVALID_TOPIC, `not a topic or pattern: "${topic.slice(0, 200)}"`);
  }
  if (new Set(topics).size !== topics.length) return bad('a topic is listed twice');
  if (topics.length > maxSubscriptions) return bad(`at most ${maxSubscriptions} topics`);

  const maxRate = number(params.get('maxRate'), (n) => n > 0 && n <= 1000);
  if (maxRate === null) return bad('maxRate must be a number above 0, at most 1000');
  const history = number(
    params.get('history'),
    (n) => Number.isInteger(n) && n >= 0 && n <= MAX_HISTORY_REQUEST,
  );
  if (history === null)
    return bad(`history must be a whole number from 0 to ${MAX_HISTORY_REQUEST}`);

  const idText = lastEventIdHeader ?? params.get('lastEventId') ?? undefined;
  const parsed =
    idText === undefined || idText === ''
      ? new Map<string, ResumePosition>()
      : parseEventId(idText);
  if (typeof parsed === 'string') return bad(parsed);
  const resume = new Map(
    [...parsed].filter(([topic]) => topics.some((p) => topicMatches(p, topic))),
  );

  const subscribes = topics.map((topic, i): Subscribe => {
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

function bad(message: string): Denial {
  return deny(400, ErrorCode.BAD_REQUEST, message);
}

/** undefined when absent, null when present but not acceptable. */
function number(text: string | null, ok: (n: number) => boolean): number | undefined | null {
  if (text === null) return undefined;
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) && ok(n) ? n : null;
}
