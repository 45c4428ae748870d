import { MAX_RESUME_POSITIONS, type ResumePosition } from './client-messages.js';
import { isTopic } from './topics.js';

/**
 * Server-sent events (`GET /sse`) carry the same frames as a JSON WebSocket, one per event's
 * `data:` line. Their event id is defined here, once, for the gateway and the client.
 */

/** Most topics one SSE event id lists; later topics are delivered but not resumable by id. */
export const MAX_EVENT_ID_TOPICS = 100;
/** Longest Last-Event-ID a server accepts (browsers resend it as a header). */
export const MAX_EVENT_ID_LENGTH = 8192;

/**
 * The SSE event id is the stream's position in every topic it has delivered, so that the one
 * id a browser remembers (`Last-Event-ID`) resumes all of them exactly like `since` does:
 *
 *   <topic>:<seq>:<epoch>,<topic>:<seq>,<topic>:<seq>:<epoch>
 *
 * An entry without an epoch has the epoch of the entry before it (the first always has one);
 * epochs are percent-encoded. One topic is simply `price.BTC:42:lq3v9k2b-a1b2c3`.
 * @since protocol 1
 */
export function formatEventId(positions: ReadonlyMap<string, ResumePosition>): string {
  let out = '';
  let epoch: string | undefined;
  for (const [topic, p] of positions) {
    if (out.length > 0) out += ',';
    out += `${topic}:${p.seq}`;
    if (p.epoch !== epoch) {
      epoch = p.epoch;
      out += `:${encodeURIComponent(epoch)}`;
    }
  }
  return out;
}

/** Parses an SSE event id (`Last-Event-ID`); a reason string when it is not one of ours. */
export function parseEventId(id: string): Map<string, ResumePosition> | string {
  const out = new Map<string, ResumePosition>();
  if (id.length > MAX_EVENT_ID_LENGTH)
    return `Last-Event-ID longer than ${MAX_EVENT_ID_LENGTH} characters`;
  let epoch: string | undefined;
  for (const entry of id.split(',')) {
    const [topic, seqText, epochText, extra] = entry.split(':');
    if (topic === undefined || !isTopic(topic))
      return `Last-Event-ID: "${entry.slice(0, 80)}" has no valid topic`;
    if (
      seqText === undefined ||
      !/^\d{1,16}$/.test(seqText) ||
      Number(seqText) > Number.MAX_SAFE_INTEGER
    )
      return `Last-Event-ID: "${entry.slice(0, 80)}" has no valid seq`;
    if (extra !== undefined) return `Last-Event-ID: "${entry.slice(0, 80)}" has too many parts`;
    if (epochText !== undefined) {
      try {
        epoch = decodeURIComponent(epochText);
      } catch {
        return `Last-Event-ID: bad epoch in "${entry.slice(0, 80)}"`;
      }
      if (epoch.length < 1 || epoch.length > 64)
        return 'Last-Event-ID: epoch must be 1-64 characters';
    }
    if (epoch === undefined) return 'Last-Event-ID: the first entry needs an epoch';
    out.set(topic, { seq: Number(seqText), epoch });
    if (out.size > MAX_RESUME_POSITIONS)
      return `Last-Event-ID lists more than ${MAX_RESUME_POSITIONS} topics`;
  }
  return out;
}
