import {
  ErrorCode,
  parseServerMessage,
  type Codec,
  type ServerMessage,
  type TopicMessage,
} from '@pulse/protocol';
import { frameData } from './socket.js';

/** A received frame, read: topic messages to deliver, a control frame, or something unusable. */
export type ReadFrame =
  | { readonly kind: 'messages'; readonly messages: readonly TopicMessage<unknown>[] }
  | { readonly kind: 'control'; readonly message: ServerMessage }
  | { readonly kind: 'invalid'; readonly code: ErrorCode; readonly reason: string };

/**
 * Decodes and checks one server frame: the client's edge.
 *
 * `message` and `batch` are nearly every frame, so they skip the schema parse: valibot on each
 * would cost more than delivering it, the gateway already validated the payload on publish, and
 * the fields that resume and routing rely on (topic, seq, epoch) are checked by hand below.
 * Control frames are rare and get the full `parseServerMessage`.
 */
export function readFrame(codec: Codec, data: unknown): ReadFrame {
  let decoded: unknown;
  try {
    decoded = codec.decode(frameData(data));
  } catch (error) {
    const reason = `could not decode a server frame: ${error instanceof Error ? error.message : String(error)}`;
    return { kind: 'invalid', code: ErrorCode.BAD_FRAME, reason };
  }
  const type = isObject(decoded) ? decoded['type'] : undefined;
  if (type === 'message') {
    if (isTopicMessage(decoded)) return { kind: 'messages', messages: [decoded] };
    return invalidMessage('topic message without topic, seq or epoch');
  }
  if (type === 'batch') {
    const messages = isObject(decoded) ? decoded['messages'] : undefined;
    if (Array.isArray(messages) && messages.every(isTopicMessage))
      return { kind: 'messages', messages };
    return invalidMessage('batch with a malformed message');
  }
  const parsed = parseServerMessage(decoded);
  if (!parsed.ok) return invalidMessage(`invalid server frame: ${parsed.reason}`);
  return { kind: 'control', message: parsed.message };
}

function invalidMessage(reason: string): ReadFrame {
  return { kind: 'invalid', code: ErrorCode.INVALID_MESSAGE, reason };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isTopicMessage(value: unknown): value is TopicMessage<unknown> {
  return (
    isObject(value) &&
    typeof value['topic'] === 'string' &&
    typeof value['seq'] === 'number' &&
    typeof value['epoch'] === 'string'
  );
}
