import type { Publish } from './client-messages.js';
import {
  IDEMPOTENCY_KEY_PATTERN as KEY,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  MAX_REQUEST_ID,
  MAX_TIMESTAMP,
  MAX_UNIT_LENGTH,
} from './fields.js';
import type { SensorReading } from './payloads.js';
import { isTopic } from './topics.js';

/**
 * Hand-written checks for the shapes nearly every inbound frame has: a `publish` and a sensor
 * reading. They apply the same rules as `PublishSchema` and `SensorReadingSchema` and answer
 * only when the input passes them all; anything else (a missing or extra key, a wrong type, a
 * value out of range) gets `undefined`, and the caller runs the valibot schema, which says
 * what is wrong. So the schema stays the one definition of what is valid and of every error
 * text, and a valid device publish skips the generic schema walk (a tenth of the gateway's
 * CPU per publish at the devices bench's rates). A property test holds the two to the same
 * verdict and output (apps/gateway/src/dispatch/fast-path.property.test.ts).
 */

/** A plain object as JSON and MessagePack decoders make them (no prototype games). */
function isPlainRecord(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null) return false;
  const proto = Object.getPrototypeOf(x) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A valid `publish` frame, or undefined: then `PublishSchema` decides. */
export function checkPublish(input: unknown): Publish | undefined {
  if (!isPlainRecord(input) || input.type !== 'publish') return undefined;
  let keys = 0;
  for (const k in input) {
    if (k !== 'type' && k !== 'topic' && k !== 'payload' && k !== 'id' && k !== 'key')
      return undefined;
    // A key present with `undefined` (MessagePack can say so): the schema's call.
    if (input[k] === undefined) return undefined;
    keys += 1;
  }
  const { id, topic, key } = input;
  if (!('payload' in input) || typeof topic !== 'string' || !isTopic(topic)) return undefined;
  let expected = 3;
  if (id !== undefined) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > MAX_REQUEST_ID)
      return undefined;
    expected += 1;
  }
  if (key !== undefined) {
    if (typeof key !== 'string' || key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !KEY.test(key))
      return undefined;
    expected += 1;
  }
  // Own keys only: an inherited enumerable one would have been counted above.
  if (keys !== expected) return undefined;
  return input as Publish;
}

/**
 * A valid sensor reading, as a new object in the schema's key order (as valibot returns it,
 * so the stored frame is byte for byte what it was), or undefined: then the schema decides.
 */
export function checkSensorReading(payload: unknown): SensorReading | undefined {
  if (!isPlainRecord(payload)) return undefined;
  let keys = 0;
  for (const k in payload) {
    if (k !== 'value' && k !== 'unit' && k !== 'ts') return undefined;
    keys += 1;
  }
  if (keys !== 3) return undefined;
  const { value, unit, ts } = payload;
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  if (typeof unit !== 'string' || unit.length > MAX_UNIT_LENGTH) return undefined;
  if (typeof ts !== 'number' || !Number.isInteger(ts) || ts < 0 || ts > MAX_TIMESTAMP)
    return undefined;
  return { value, unit, ts };
}
