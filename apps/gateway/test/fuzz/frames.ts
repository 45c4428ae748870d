import { msgpackCodec } from '@pulse/protocol';
import type { Random } from './random.js';

/** One hostile frame: its bytes and whether it goes out as a binary WebSocket frame. */
export interface Frame {
  readonly data: string | Buffer;
  readonly binary: boolean;
}

const text = (data: string): Frame => ({ data, binary: false });
const json = (value: unknown): Frame => text(JSON.stringify(value));

const tick = { bid: 1, ask: 2, last: 1.5, volume: 1, ts: 1_700_000_000_000 };
const VALID = [
  { type: 'subscribe', id: 1, topic: 'price.X', history: 0 },
  {
    type: 'subscribe',
    id: 2,
    topic: 'device.*.temperature',
    positions: { 'device.d1.temperature': { seq: 1, epoch: 'e' } },
  },
  { type: 'publish', id: 3, topic: 'price.X', payload: tick },
  { type: 'unsubscribe', id: 4, topic: 'price.X' },
  { type: 'ping', ts: 1 },
];

function nested(depth: number, open: string, close: string, inner = '0'): string {
  return open.repeat(depth) + inner + close.repeat(depth);
}

/** Generators per hostile category (see the fuzz test for what each is expected to get back). */
export const GENERATORS = {
  /** Random bytes as binary frames on a JSON connection. */
  'random bytes (binary on json)': (r: Random): Frame => ({
    data: r.bytes(r.int(1, 512)),
    binary: true,
  }),
  /** Random text, mostly JSON-looking. */
  'random text': (r: Random): Frame => text(r.text(r.int(1, 256))),
  /** A valid message cut short. */
  truncated: (r: Random): Frame => {
    const full = JSON.stringify(r.pick(VALID));
    return text(full.slice(0, r.int(1, full.length - 1)));
  },
  /** Known types with fields of the wrong type, and non-objects. */
  'wrong types': (r: Random): Frame =>
    json(
      r.pick<unknown>([
        null,
        42,
        'subscribe',
        [],
        [{ type: 'ping' }],
        true,
        { type: 'subscribe', id: 'one', topic: 'price.X' },
        { type: 'subscribe', id: 1, topic: 5 },
        { type: 'subscribe', id: 1, topic: ['price.X'] },
        { type: 'subscribe', id: 1, topic: 'price.X', history: 'all' },
        { type: 'subscribe', id: 1, topic: 'price.X', positions: 'yes' },
        { type: 'publish', topic: { a: 1 }, payload: tick },
        { type: 'publish', id: 1, topic: 'price.X', payload: { ...tick, bid: 'high' } },
        { type: 'publish', id: 1, topic: 'price.X' },
        { type: 'unsubscribe', id: null, topic: 'price.X' },
        { type: 'ping', ts: 'now' },
        { type: 'auth', id: 1, token: 42 },
        { type: 'auth', id: 1, token: 'x.y.z' },
        { type: ['subscribe'] },
        { type: null },
      ]),
    ),
  /** Huge, negative, fractional and non-finite numbers where integers are expected. */
  numbers: (r: Random): Frame => {
    const n = r.pick([
      -1,
      -0.5,
      1.5,
      2 ** 31,
      2 ** 53 + 2,
      1e308,
      -1e308,
      Number.MAX_VALUE,
      5e-324,
    ]);
    const raw = r.pick(['1e999', '-1e999', '1e-999', '123456789012345678901234567890', '-0']);
    return r.next() < 0.5
      ? json(
          r.pick<unknown>([
            { type: 'subscribe', id: n, topic: 'price.X' },
            { type: 'subscribe', id: 1, topic: 'price.X', since: n, epoch: 'e' },
            { type: 'subscribe', id: 1, topic: 'price.X', history: n },
            { type: 'subscribe', id: 1, topic: 'price.X', maxRate: n },
            { type: 'ping', ts: n },
            { type: 'publish', id: 1, topic: 'price.X', payload: { ...tick, bid: n, ask: n } },
            { type: 'publish', id: 1, topic: 'price.X', payload: { ...tick, ts: n } },
          ]),
        )
      : text(
          r.pick([
            `{"type":"ping","ts":${raw}}`,
            `{"type":"subscribe","id":${raw},"topic":"price.X"}`,
            `{"type":"publish","id":1,"topic":"price.X","payload":{"bid":${raw},"ask":${raw},"last":1,"volume":1,"ts":1}}`,
          ]),
        );
  },
  /** Thousands of levels of nesting, at the top and inside fields. */
  'deeply nested': (r: Random): Frame => {
    // Deep, but under MAX_FRAME_BYTES (16 KiB in the fuzz): depth is what is being tested.
    const deep =
      r.next() < 0.5 ? nested(r.int(500, 7000), '[', ']') : nested(r.int(500, 2400), '{"a":', '}');
    return text(
      r.pick([
        deep,
        `{"type":"publish","id":1,"topic":"price.X","payload":${deep}}`,
        `{"type":"subscribe","id":1,"topic":"price.X","positions":${deep}}`,
        `{"type":${deep}}`,
      ]),
    );
  },
  /** Objects with hundreds of keys. */
  'very wide objects': (r: Random): Frame => {
    const o: Record<string, unknown> = {
      type: r.pick(['subscribe', 'publish', 'teleport']),
      id: 1,
      topic: 'price.X',
    };
    const keys = r.int(200, 1200);
    for (let i = 0; i < keys; i++) o[`k${i}`] = i;
    return r.next() < 0.5
      ? json(o)
      : json({ type: 'publish', id: 1, topic: 'price.X', payload: o });
  },
  /** Message types nobody defined. */
  'unknown types': (r: Random): Frame =>
    json({
      type: r.pick([
        'teleport',
        '',
        'SUBSCRIBE',
        'welcome',
        'message',
        'ack',
        'x'.repeat(r.int(1, 2000)),
        '__proto__',
        'constructor',
      ]),
      id: r.int(0, 100),
    }),
  /** MessagePack connection: random bytes, truncated and lying length headers, and text frames. */
  'msgpack garbage': (r: Random): Frame => {
    const valid = msgpackCodec.encode(r.pick(VALID)) as Uint8Array;
    return r.pick<() => Frame>([
      () => ({ data: r.bytes(r.int(1, 256)), binary: true }),
      () => ({ data: Buffer.from(valid.subarray(0, r.int(1, valid.length - 1))), binary: true }),
      () => ({ data: Buffer.from([0xdd, 0x7f, 0xff, 0xff, 0xff]), binary: true }), // array32 of 2^31-1
      () => ({ data: Buffer.from([0xdf, 0x7f, 0xff, 0xff, 0xff]), binary: true }), // map32 of 2^31-1
      () => ({ data: Buffer.from([0xdb, 0x7f, 0xff, 0xff, 0xff, 0x41]), binary: true }), // str32 of 2 GiB
      () => ({ data: Buffer.alloc(r.int(1, 4000), 0x91), binary: true }), // nested fixarrays
      () => ({
        data: Buffer.from(
          msgpackCodec.encode({ type: 'subscribe', id: -1, topic: 7 }) as Uint8Array,
        ),
        binary: true,
      }),
      () => text('{"type":"ping"}'), // text on a binary connection
    ])();
  },
} as const;

export type Category = keyof typeof GENERATORS;
