import { CloseCode, msgpackCodec } from '@pulse/protocol';
import { describe, expect, it } from 'vitest';
import { BUSES, gatewaysOn } from './gateway-resource.js';
import { TestSocket } from './test-socket.js';

describe.each(BUSES)('bad input (%s bus)', (bus) => {
  const startGateway = gatewaysOn(bus);

  it('answers malformed frames with error frames and keeps the socket usable', async () => {
    await using gw = await startGateway();
    await using s = await TestSocket.connect(gw.wsUrl, await gw.token('feed', 'f'));
    s.ws.send('{"type": "subscribe", ');
    expect(await s.next('error')).toMatchObject({ code: 'BAD_FRAME' });
    s.ws.send(Buffer.from([1, 2, 3]));
    expect(await s.next('error')).toMatchObject({
      code: 'BAD_FRAME',
      message: 'binary frame on a json connection',
    });
    s.send({ type: 'teleport', id: 4 });
    expect(await s.next('error')).toMatchObject({
      code: 'INVALID_MESSAGE',
      ref: 4,
      message: 'unknown message type "teleport"',
    });
    s.send({ type: 'subscribe', id: 5, topic: 'price.*.x' });
    expect(await s.next('error')).toMatchObject({ code: 'INVALID_TOPIC', ref: 5 });
    s.send({ type: 'publish', id: 6, topic: 'price.X', payload: { bid: 'high' } });
    expect(await s.next('error')).toMatchObject({
      code: 'INVALID_PAYLOAD',
      ref: 6,
      topic: 'price.X',
    });
    s.send({ type: 'subscribe', id: 7, topic: 'price.X', since: 3 });
    expect(await s.next('error')).toMatchObject({
      code: 'INVALID_MESSAGE',
      ref: 7,
      message: 'since and epoch go together',
    });
    // still usable
    s.send({ type: 'ping', ts: 42 });
    expect(await s.next('pong')).toEqual({ type: 'pong', ts: 42 });
    s.send({
      type: 'publish',
      id: 8,
      topic: 'price.X',
      payload: { bid: 1, ask: 2, last: 1.5, volume: 0, ts: 1 },
    });
    expect(await s.next('ack')).toMatchObject({ id: 8, seq: 1 });
  });

  it('closes a connection that keeps sending garbage with 4003', async () => {
    await using gw = await startGateway({ MAX_INVALID_FRAMES: '10' });
    await using s = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    for (let i = 0; i < 12; i++) s.ws.send(`garbage ${i}`);
    expect((await s.closed).code).toBe(CloseCode.PROTOCOL_VIOLATION);
    const errors = s.frames.filter((f) => f.type === 'error');
    expect(errors.length).toBeGreaterThanOrEqual(9);
  });

  it('rejects text frames on a msgpack connection', async () => {
    await using gw = await startGateway();
    await using s = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'), 'msgpack');
    s.ws.send('{"type":"ping"}');
    expect(await s.next('error')).toMatchObject({
      code: 'BAD_FRAME',
      message: 'text frame on a msgpack connection',
    });
    s.ws.send(msgpackCodec.encode({ type: 'ping', ts: 1 }));
    expect(await s.next('pong')).toEqual({ type: 'pong', ts: 1 });
  });

  it('closes with 1009 when a frame is over maxFrameBytes', async () => {
    await using gw = await startGateway({ MAX_FRAME_BYTES: '1024' });
    await using s = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    s.ws.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(2000) }));
    expect((await s.closed).code).toBe(CloseCode.MESSAGE_TOO_BIG);
  });

  it('closes with 4000 when the subprotocol is unknown or missing', async () => {
    await using gw = await startGateway();
    const token = await gw.token('operator', 'op');
    await using wrong = await TestSocket.open(gw.wsUrl, token, { protocols: ['pulse.v9.json'] });
    expect(await wrong.closed).toMatchObject({ code: CloseCode.UNSUPPORTED_PROTOCOL });
    await using none = await TestSocket.open(gw.wsUrl, token, { protocols: [] });
    expect(await none.closed).toMatchObject({ code: CloseCode.UNSUPPORTED_PROTOCOL });
  });

  it('refuses duplicate subscriptions and more than maxSubscriptions', async () => {
    await using gw = await startGateway({ MAX_SUBSCRIPTIONS: '2' });
    await using s = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    s.send({ type: 'subscribe', id: 1, topic: 'price.A' });
    s.send({ type: 'subscribe', id: 2, topic: 'price.A' });
    expect(await s.next('error')).toMatchObject({ code: 'ALREADY_SUBSCRIBED', ref: 2 });
    s.send({ type: 'subscribe', id: 3, topic: 'price.B' });
    s.send({ type: 'subscribe', id: 4, topic: 'price.C' });
    expect(await s.next('error', (f) => f.ref === 4)).toMatchObject({
      code: 'TOO_MANY_SUBSCRIPTIONS',
    });
  });
});
