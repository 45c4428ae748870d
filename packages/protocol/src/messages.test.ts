import { describe, expect, it } from 'vitest';
import { ErrorCode } from './codes.js';
import { parseClientMessage, parseServerMessage } from './parse.js';
import { validatePayload } from './payloads.js';

const reading = { value: 21.5, unit: 'C', ts: 1_700_000_000_000 };
const tick = { bid: 99.5, ask: 100.5, last: 100, volume: 12, ts: 1_700_000_000_000 };

describe('client messages', () => {
  it.each([
    { type: 'subscribe', id: 1, topic: 'price.X' },
    { type: 'subscribe', id: 2, topic: 'device.*.temperature', maxRate: 5, history: 0 },
    { type: 'subscribe', id: 3, topic: 'price.X', since: 41, epoch: 'e1' },
    {
      type: 'subscribe',
      id: 4,
      topic: 'device.*.battery',
      positions: { 'device.a.battery': { seq: 3, epoch: 'e' } },
    },
    { type: 'unsubscribe', id: 5, topic: 'price.X' },
    { type: 'publish', topic: 'device.d1.temperature', payload: reading },
    { type: 'publish', id: 7, topic: 'price.X', payload: tick },
    { type: 'ping', ts: 5 },
    { type: 'ping' },
    { type: 'pong' },
    { type: 'auth', id: 8, token: 'eyJhbGciOiJIUzI1NiJ9.e30.sig' },
  ])('accepts $type %#', (m) => {
    const r = parseClientMessage(m);
    expect(r.ok).toBe(true);
  });

  it.each([
    [null, ErrorCode.INVALID_MESSAGE],
    [42, ErrorCode.INVALID_MESSAGE],
    ['subscribe', ErrorCode.INVALID_MESSAGE],
    [[], ErrorCode.INVALID_MESSAGE],
    [{}, ErrorCode.INVALID_MESSAGE],
    [{ type: 'hello' }, ErrorCode.INVALID_MESSAGE],
    [{ type: 'subscribe', topic: 'price.X' }, ErrorCode.INVALID_MESSAGE],
    [{ type: 'subscribe', id: -1, topic: 'price.X' }, ErrorCode.INVALID_MESSAGE],
    [{ type: 'subscribe', id: 1.5, topic: 'price.X' }, ErrorCode.INVALID_MESSAGE],
    [{ type: 'subscribe', id: 1, topic: 'price.*.x' }, ErrorCode.INVALID_TOPIC],
    [{ type: 'subscribe', id: 1, topic: 'price.X', maxRate: 0 }, ErrorCode.INVALID_MESSAGE],
    [{ type: 'subscribe', id: 1, topic: 'price.X', maxRate: Infinity }, ErrorCode.INVALID_MESSAGE],
    [{ type: 'subscribe', id: 1, topic: 'price.X', since: -3 }, ErrorCode.INVALID_MESSAGE],
    [{ type: 'subscribe', id: 1, topic: 'price.X', history: 1e6 }, ErrorCode.INVALID_MESSAGE],
    [{ type: 'subscribe', id: 1, topic: 'price.X', extra: true }, ErrorCode.INVALID_MESSAGE],
    [
      {
        type: 'subscribe',
        id: 1,
        topic: 'device.*.x',
        positions: { 'device.*.x': { seq: 1, epoch: 'e' } },
      },
      ErrorCode.INVALID_TOPIC,
    ],
    [{ type: 'publish', topic: 'price.*', payload: tick }, ErrorCode.INVALID_TOPIC],
    [{ type: 'publish', topic: 42, payload: tick }, ErrorCode.INVALID_TOPIC],
    [{ type: 'unsubscribe', id: 1 }, ErrorCode.INVALID_TOPIC],
    [{ type: 'auth', id: 1 }, ErrorCode.INVALID_MESSAGE],
    [{ type: 'auth', id: 1, token: '' }, ErrorCode.INVALID_MESSAGE],
    [{ type: 'auth', id: 1, token: 'x'.repeat(4097) }, ErrorCode.INVALID_MESSAGE],
    [{ type: 'auth', token: 'abc' }, ErrorCode.INVALID_MESSAGE],
  ])('rejects %j with %s', (m, code) => {
    const r = parseClientMessage(m);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe(code);
      expect(r.reason.length).toBeGreaterThan(0);
    }
  });

  it('names an unknown type and keeps the request id as ref', () => {
    const r = parseClientMessage({ type: 'teleport', id: 9 });
    expect(r).toMatchObject({ ok: false, ref: 9, reason: 'unknown message type "teleport"' });
  });

  it('rejects a resume with too many positions', () => {
    const positions = Object.fromEntries(
      Array.from({ length: 1001 }, (_, i) => [`device.d${i}.x`, { seq: 1, epoch: 'e' }]),
    );
    expect(
      parseClientMessage({ type: 'subscribe', id: 1, topic: 'device.*.x', positions }).ok,
    ).toBe(false);
  });
});

describe('payloads per family', () => {
  it('accepts a sensor reading on a device topic and a tick on a price topic', () => {
    expect(validatePayload('device.d1.temperature', reading).ok).toBe(true);
    expect(validatePayload('price.X', tick).ok).toBe(true);
  });

  it.each([
    ['device.d1.t', { ...reading, value: '21' }, 'value'],
    ['device.d1.t', { ...reading, value: Number.NaN }, 'value'],
    ['device.d1.t', { ...reading, ts: -1 }, 'ts'],
    ['device.d1.t', { ...reading, extra: 1 }, 'extra'],
    ['device.d1.t', tick, ''],
    ['price.X', reading, ''],
    ['price.X', { ...tick, bid: 101 }, 'bid must not exceed ask'],
    ['price.X', { ...tick, volume: -1 }, 'volume'],
  ])('rejects a bad payload on %s (%#)', (topic, payload, mention) => {
    const r = validatePayload(topic, payload);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(mention);
  });
});

describe('server messages', () => {
  it.each([
    {
      type: 'welcome',
      protocol: 1,
      serverId: 'gw-1',
      connectionId: 'c1',
      heartbeatMs: 15000,
      role: 'operator',
      subject: 'op',
      limits: { maxFrameBytes: 65536, maxSubscriptions: 1000, historySize: 1000 },
    },
    {
      type: 'subscribed',
      id: 1,
      topic: 'price.X',
      epoch: 'e',
      seq: 3,
      recovered: true,
      maxRate: 20,
    },
    { type: 'unsubscribed', id: 1, topic: 'price.X' },
    { type: 'ack', id: 1, topic: 'price.X', seq: 4 },
    { type: 'message', topic: 'price.X', seq: 4, epoch: 'e', ts: 1, payload: tick },
    {
      type: 'batch',
      messages: [{ type: 'message', topic: 'price.X', seq: 4, epoch: 'e', ts: 1, payload: tick }],
    },
    { type: 'error', code: 'RATE_LIMITED', message: 'slow down', retryAfterMs: 250, ref: 3 },
    { type: 'notice', code: 'SLOW_DOWN', message: 'ingest is saturated' },
    { type: 'notice', code: 'TOKEN_EXPIRING', message: 'soon', retryAfterMs: 60_000 },
    { type: 'authenticated', id: 4, expiresAt: 1_700_000_360_000 },
    { type: 'authenticated', id: 5 },
    { type: 'error', code: 'TOKEN_EXPIRED', message: 'token expired', ref: 4 },
    { type: 'pong', ts: 3 },
  ])('accepts $type', (m) => {
    expect(parseServerMessage(m).ok).toBe(true);
  });

  it('rejects an error frame with an unknown code', () => {
    expect(parseServerMessage({ type: 'error', code: 'OOPS', message: 'x' }).ok).toBe(false);
  });
});

describe('subscribe resume rules', () => {
  it.each([
    [{ type: 'subscribe', id: 1, topic: 'price.X', epoch: 'e' }, 'since and epoch go together'],
    [
      { type: 'subscribe', id: 1, topic: 'price.*', since: 1, epoch: 'e' },
      'since is for exact topics',
    ],
    [{ type: 'subscribe', id: 1, topic: 'price.X', positions: {} }, 'positions are for patterns'],
  ])('rejects %j', (m, reason) => {
    const r = parseClientMessage(m);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });
});
