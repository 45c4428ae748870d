import fc from 'fast-check';
import {
  checkPublish,
  checkSensorReading,
  ClientMessageSchema,
  describeIssues,
  parseClientMessage,
  SensorReadingSchema,
  validatePayload,
} from '@pulse/protocol';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';

/**
 * The hand-written checks at the edge (packages/protocol/src/fast-path.ts) must give every
 * input the verdict and the output the valibot schemas give it: they may only decline (and
 * let the schema answer), never accept what the schema refuses or return something else.
 */

/** Values near every boundary the schemas draw, and of every wrong type. */
const anyValue = fc.oneof(
  fc.constantFrom(
    0,
    -1,
    1.5,
    2 ** 31 - 1,
    2 ** 31,
    8.64e15,
    8.64e15 + 1,
    Number.NaN,
    Infinity,
    -0,
    '',
    'x',
    'a'.repeat(16),
    'a'.repeat(17),
    'a'.repeat(64),
    'a'.repeat(65),
    'k.e-y_1',
    'bad key',
    null,
    undefined,
    true,
    [],
    {},
  ),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 20 }),
);

const topic = fc.oneof(
  fc.constantFrom(
    'device.dev-1.temp',
    'price.BTC',
    'device.*.temp',
    'device.dev-1',
    'alarm.d.m',
    'nope.x',
    '',
    'device..x',
  ),
  fc.string({ maxLength: 12 }).map((s) => `device.${s}.m`),
);

const reading = fc.record(
  { value: anyValue, unit: anyValue, ts: anyValue, extra: anyValue },
  { requiredKeys: [] },
);
const validReading = fc.record({
  value: fc.double({ noNaN: true, noDefaultInfinity: true }),
  unit: fc.string({ maxLength: 16 }),
  ts: fc.integer({ min: 0, max: 2 ** 52 }),
});

const publish = fc.record(
  {
    type: fc.oneof(fc.constant('publish'), fc.constantFrom('subscribe', 'ping', 7)),
    id: anyValue,
    topic: fc.oneof(topic, anyValue),
    key: anyValue,
    payload: fc.oneof(reading, anyValue),
    other: anyValue,
  },
  { requiredKeys: [] },
);
const validPublish = fc.record(
  {
    type: fc.constant('publish'),
    id: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    topic: fc.constantFrom('device.dev-1.temp', 'price.BTC', 'device.d_2.m-3'),
    key: fc.stringMatching(/^[A-Za-z0-9_.-]{1,64}$/),
    payload: validReading,
  },
  { requiredKeys: ['type', 'topic', 'payload'] },
);

/** What the schema alone answers, in `parseClientMessage`'s shape for a success. */
function schemaVerdict(input: unknown) {
  const r = v.safeParse(ClientMessageSchema, input);
  return r.success ? { ok: true, message: r.output } : { ok: false };
}

describe('hand-written edge checks agree with the schemas', () => {
  it('checkPublish accepts only what PublishSchema accepts, unchanged', () => {
    fc.assert(
      fc.property(fc.oneof(publish, validPublish), (input) => {
        const fast = checkPublish(input);
        const parsed = parseClientMessage(input);
        const schema = schemaVerdict(input);
        expect(parsed.ok).toBe(schema.ok);
        if (schema.ok && parsed.ok) expect(parsed.message).toEqual(schema.message);
        if (fast !== undefined) expect(schema).toEqual({ ok: true, message: fast });
      }),
      { numRuns: 3000 },
    );
  });

  it('checkSensorReading accepts only what SensorReadingSchema accepts, in its key order', () => {
    fc.assert(
      fc.property(fc.oneof(reading, validReading, anyValue), (payload) => {
        const fast = checkSensorReading(payload);
        const r = v.safeParse(SensorReadingSchema, payload);
        const validated = validatePayload('device.d.m', payload);
        expect(validated.ok).toBe(r.success);
        if (r.success && validated.ok) {
          expect(JSON.stringify(validated.value)).toBe(JSON.stringify(r.output));
        }
        if (!r.success && !validated.ok) expect(validated.reason).toBe(describeIssues(r.issues));
        if (fast !== undefined) {
          expect(r.success).toBe(true);
          expect(JSON.stringify(fast)).toBe(JSON.stringify(r.output));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('takes the common shapes itself (the fallback is for the rest)', () => {
    fc.assert(
      fc.property(validPublish, (input) => {
        expect(checkPublish(input)).toBe(input);
        expect(checkSensorReading(input.payload)).toEqual(input.payload);
      }),
    );
    // Shapes that it leaves to the schema, which then explains them.
    expect(checkPublish({ type: 'publish', topic: 'device.d.m', payload: 1, x: 1 })).toBe(
      undefined,
    );
    expect(checkPublish({ type: 'publish', topic: 'device.d.m' })).toBe(undefined);
    expect(checkSensorReading({ value: 1, unit: 'C', ts: 1, x: 1 })).toBe(undefined);
    expect(checkSensorReading({ value: Number.NaN, unit: 'C', ts: 1 })).toBe(undefined);
  });
});
