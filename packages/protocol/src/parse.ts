import * as v from 'valibot';
import { ClientMessageSchema, type ClientMessage } from './client-messages.js';
import { ErrorCode } from './codes.js';
import { ServerMessageSchema, type ServerMessage } from './server-messages.js';
import { checkPublish } from './fast-path.js';
import { describeIssues } from './payloads.js';

export type ParseResult<T> =
  | { readonly ok: true; readonly message: T }
  | {
      readonly ok: false;
      readonly code: ErrorCode;
      readonly reason: string;
      /** The request id, when the input carried a usable one. */
      readonly ref?: number;
    };

const KNOWN_CLIENT_TYPES = new Set(['subscribe', 'unsubscribe', 'publish', 'ping', 'pong', 'auth']);

function refOf(input: unknown): number | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const id = (input as { id?: unknown }).id;
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 && id < 2 ** 31 ? id : undefined;
}

/**
 * Checks a decoded frame against the client message schema: the one place where untrusted
 * input becomes a typed `ClientMessage`. The payload of `publish` is checked separately against
 * its topic's family (`validatePayload`), after authorisation.
 */
export function parseClientMessage(input: unknown): ParseResult<ClientMessage> {
  // Most frames are valid publishes: checked by hand, with the schema as the fallback.
  const publish = checkPublish(input);
  if (publish) return { ok: true, message: publish };
  const result = v.safeParse(ClientMessageSchema, input);
  if (result.success) return { ok: true, message: result.output };
  const ref = refOf(input);
  const type =
    typeof input === 'object' && input !== null ? (input as { type?: unknown }).type : undefined;
  const reason =
    typeof type === 'string' && !KNOWN_CLIENT_TYPES.has(type)
      ? `unknown message type "${type.slice(0, 32)}"`
      : describeIssues(result.issues);
  const topicIssue = result.issues.some(
    (i) => v.getDotPath(i) === 'topic' || v.getDotPath(i)?.startsWith('positions'),
  );
  const code = topicIssue ? ErrorCode.INVALID_TOPIC : ErrorCode.INVALID_MESSAGE;
  return ref === undefined ? { ok: false, code, reason } : { ok: false, code, reason, ref };
}

/** Checks a decoded server frame; clients use it at their edge. */
export function parseServerMessage(input: unknown): ParseResult<ServerMessage> {
  const result = v.safeParse(ServerMessageSchema, input);
  if (result.success) return { ok: true, message: result.output };
  return { ok: false, code: ErrorCode.INVALID_MESSAGE, reason: describeIssues(result.issues) };
}
