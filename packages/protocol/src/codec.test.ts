import { describe, expect, it } from 'vitest';
import { CODECS, codecForSubprotocols, jsonCodec, msgpackCodec } from './codec.js';
import { CLOSE_CODES, CloseCode, shouldReconnect } from './codes.js';
import { SUBPROTOCOL } from './version.js';

const samples = [
  {
    type: 'message',
    topic: 'price.X',
    seq: 4,
    epoch: 'e1',
    ts: 1_700_000_000_000,
    payload: { bid: 1.25, ask: 1.5, last: 1.3, volume: 0, ts: 1 },
  },
  { type: 'subscribe', id: 1, topic: 'device.*.temperature', maxRate: 2.5 },
  { type: 'batch', messages: [] },
  { type: 'error', code: 'RATE_LIMITED', message: 'ü ✓', retryAfterMs: 100 },
];

describe('codecs', () => {
  for (const codec of Object.values(CODECS)) {
    it(`${codec.name} round-trips every sample`, () => {
      for (const s of samples) {
        const frame = codec.encode(s);
        expect(typeof frame === 'string').toBe(!codec.binary);
        expect(codec.decode(frame)).toEqual(s);
      }
    });
  }

  it('json accepts UTF-8 bytes and refuses invalid UTF-8 or syntax', () => {
    expect(jsonCodec.decode(new TextEncoder().encode('{"a":1}'))).toEqual({ a: 1 });
    expect(() => jsonCodec.decode(new Uint8Array([0x7b, 0xff, 0x7d]))).toThrow();
    expect(() => jsonCodec.decode('{"a":')).toThrow();
  });

  it('msgpack refuses text frames, truncated frames and oversized declared lengths', () => {
    expect(() => msgpackCodec.decode('{}')).toThrow();
    const full = msgpackCodec.encode(samples[0]) as Uint8Array;
    expect(() => msgpackCodec.decode(full.subarray(0, full.length - 3))).toThrow();
    // array32 header claiming 2^31 elements
    expect(() => msgpackCodec.decode(new Uint8Array([0xdd, 0x80, 0, 0, 0]))).toThrow();
  });

  it('negotiates by subprotocol and ignores unknown ones', () => {
    expect(codecForSubprotocols([SUBPROTOCOL.msgpack])).toBe(msgpackCodec);
    expect(codecForSubprotocols(['pulse.v0.json', SUBPROTOCOL.json])).toBe(jsonCodec);
    expect(codecForSubprotocols(['pulse.v2.json'])).toBeUndefined();
    expect(codecForSubprotocols([])).toBeUndefined();
  });
});

describe('error codes', () => {
  it('every code has a description', async () => {
    const { ERROR_CODES, ErrorCode } = await import('./codes.js');
    for (const code of Object.values(ErrorCode)) expect(ERROR_CODES[code].description).toBeTruthy();
  });
});

describe('close codes', () => {
  it('every code is in the table and fatal codes say do not reconnect', () => {
    for (const code of Object.values(CloseCode)) expect(CLOSE_CODES[code]).toBeDefined();
    expect(shouldReconnect(CloseCode.UNSUPPORTED_PROTOCOL)).toBe(false);
    expect(shouldReconnect(CloseCode.UNAUTHORIZED)).toBe(false);
    expect(shouldReconnect(CloseCode.SLOW_CONSUMER)).toBe(true);
    expect(shouldReconnect(CloseCode.SERVICE_RESTART)).toBe(true);
    expect(shouldReconnect(CloseCode.TOKEN_EXPIRED)).toBe(false);
    expect(shouldReconnect(CloseCode.INVALID_FRAME_PAYLOAD)).toBe(true);
    expect(shouldReconnect(1006)).toBe(true);
    expect(shouldReconnect(4050)).toBe(false);
    expect(shouldReconnect(4150)).toBe(true);
  });
});
