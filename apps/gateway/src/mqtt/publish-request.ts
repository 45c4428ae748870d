import type { IPublishPacket } from 'mqtt-packet';
import { ErrorCode, parseClientMessage, type ErrorFrame, type Publish } from '@pulse/protocol';
import { pulseTopicOf } from './topic-map.js';

/**
 * The Pulse publish an MQTT PUBLISH stands for, or the refusal that answers it: topic mapped,
 * payload parsed as JSON, then the WebSocket frame check (`parseClientMessage`). Shared by the
 * embedded broker's connections and the external-broker bridge, so both read MQTT alike.
 */
export function publishRequestOf(
  packet: Pick<IPublishPacket, 'topic' | 'payload' | 'retain' | 'properties'>,
): Publish | ErrorFrame {
  if (packet.retain && packet.payload.length === 0)
    return refusal(ErrorCode.INVALID_PAYLOAD, 'clearing a retained value is not supported');
  const topic = pulseTopicOf(packet.topic);
  if (topic === undefined)
    return refusal(ErrorCode.INVALID_TOPIC, 'topic must be <family>/<id>/... without . + # *');
  let payload: unknown;
  try {
    payload = JSON.parse(packet.payload.toString());
  } catch {
    return refusal(ErrorCode.INVALID_PAYLOAD, 'payload is not JSON', topic);
  }
  const key = packet.properties?.userProperties?.key;
  const parsed = parseClientMessage({
    type: 'publish',
    topic,
    payload,
    ...(key === undefined ? {} : { key }),
  });
  if (!parsed.ok) return refusal(parsed.code, parsed.reason, topic);
  return parsed.message as Publish;
}

export function refusal(code: ErrorCode, message: string, topic?: string): ErrorFrame {
  return { type: 'error', code, message, ...(topic === undefined ? {} : { topic }) };
}
