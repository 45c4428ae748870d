import { describe, expect, it } from 'vitest';
import { BUSES, gatewaysOn } from './gateway-resource.js';
import { TestSocket } from './test-socket.js';
import { reading, tick } from './fixtures.js';

const T = 'device.d1.temperature';

/** Every message of `topic` still in history, oldest first (a fresh operator's backfill). */
async function history(wsUrl: string, token: string, topic: string) {
  await using op = await TestSocket.connect(wsUrl, token);
  op.send({ type: 'subscribe', id: 1, topic, history: 1000 });
  const { seq } = await op.next('subscribed');
  // Awaited here: `op` is disposed when this function returns.
  return seq ? await op.messages(seq, topic) : [];
}

for (const bus of BUSES) {
  describe(`idempotent publish (${bus} bus)`, () => {
    const start = gatewaysOn(bus);

    it('a retry with the same key gets the original ack and stores nothing; other keys, subjects and topics store', async () => {
      await using gw = await start();
      await using dev = await TestSocket.connect(gw.wsUrl, await gw.token('device', 'd1'));
      dev.send({ type: 'publish', id: 1, topic: T, key: 'r-1', payload: reading(1) });
      expect(await dev.next('ack')).toEqual({ type: 'ack', id: 1, topic: T, seq: 1 });
      // The same key again, even with another payload: the first ack, nothing stored.
      dev.send({ type: 'publish', id: 2, topic: T, key: 'r-1', payload: reading(1) });
      dev.send({ type: 'publish', id: 3, topic: T, key: 'r-1', payload: reading(99) });
      expect(await dev.next('ack')).toEqual({ type: 'ack', id: 2, topic: T, seq: 1 });
      expect(await dev.next('ack')).toEqual({ type: 'ack', id: 3, topic: T, seq: 1 });
      // Another key stores; so does the same key on another topic.
      dev.send({ type: 'publish', id: 4, topic: T, key: 'r-2', payload: reading(2) });
      expect(await dev.next('ack')).toMatchObject({ id: 4, seq: 2 });
      dev.send({
        type: 'publish',
        id: 5,
        topic: 'device.d1.humidity',
        key: 'r-1',
        payload: reading(3),
      });
      expect(await dev.next('ack')).toMatchObject({ id: 5, seq: 1 });
      // Two devices (subjects) never share keys.
      await using admin = await TestSocket.connect(gw.wsUrl, await gw.token('admin', 'ops'));
      admin.send({ type: 'publish', id: 6, topic: T, key: 'r-1', payload: reading(4) });
      expect(await admin.next('ack')).toMatchObject({ id: 6, seq: 3 });

      const stored = await history(gw.wsUrl, await gw.token('operator', 'op'), T);
      expect(stored.map((m) => m.payload)).toEqual([reading(1), reading(2), reading(4)]);
    });

    it('keys are checked at the edge: a bad key is INVALID_MESSAGE and nothing is stored', async () => {
      await using gw = await start();
      await using dev = await TestSocket.connect(gw.wsUrl, await gw.token('device', 'd1'));
      for (const key of ['', 'a:b', 'x'.repeat(65), 'white space']) {
        dev.send({ type: 'publish', id: 1, topic: T, key, payload: reading(1) });
        expect(await dev.next('error')).toMatchObject({ code: 'INVALID_MESSAGE', ref: 1 });
      }
      dev.send({ type: 'publish', id: 2, topic: T, key: 'A-z_0.9', payload: reading(1) });
      expect(await dev.next('ack')).toMatchObject({ id: 2, seq: 1 });
    });

    it('POST /publish takes the key in the body or the Idempotency-Key header, and retries get the first ack', async () => {
      await using gw = await start();
      const token = await gw.token('feed', 'f');
      const post = async (body: unknown, headers: Record<string, string> = {}) => {
        const res = await fetch(`${gw.httpUrl}/publish`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${token}`,
            ...headers,
          },
          body: JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };
      expect(await post({ id: 1, topic: 'price.X', key: 'h-1', payload: tick(1) })).toEqual({
        status: 200,
        body: { type: 'ack', id: 1, topic: 'price.X', seq: 1 },
      });
      expect(
        await post({ id: 2, topic: 'price.X', payload: tick(1) }, { 'idempotency-key': 'h-1' }),
      ).toEqual({
        status: 200,
        body: { type: 'ack', id: 2, topic: 'price.X', seq: 1 },
      });
      expect(
        await post({ topic: 'price.X', payload: tick(2) }, { 'idempotency-key': 'h-2' }),
      ).toMatchObject({
        status: 200,
        body: { seq: 2 },
      });
      expect(
        await post(
          { topic: 'price.X', key: 'h-3', payload: tick(3) },
          { 'idempotency-key': 'h-4' },
        ),
      ).toMatchObject({ status: 400, body: { code: 'INVALID_MESSAGE' } });
      expect(
        await post({ topic: 'price.X', payload: tick(3) }, { 'idempotency-key': 'no spaces' }),
      ).toMatchObject({
        status: 400,
        body: { code: 'INVALID_MESSAGE' },
      });
      // A socket retry of an HTTP publish's key is the same publish.
      await using feed = await TestSocket.connect(gw.wsUrl, token);
      feed.send({ type: 'publish', id: 9, topic: 'price.X', key: 'h-2', payload: tick(2) });
      expect(await feed.next('ack')).toMatchObject({ id: 9, seq: 2 });
    });
  });
}

describe('idempotent publish across gateway instances', () => {
  const start = gatewaysOn('redis');

  it('a retry on another instance gets the original ack; subscribers on both see the message once', async () => {
    const prefix = `t-${Math.random().toString(16).slice(2, 10)}`;
    await using a = await start({ REDIS_KEY_PREFIX: prefix });
    await using b = await start({ REDIS_KEY_PREFIX: prefix });
    await using opB = await TestSocket.connect(b.wsUrl, await b.token('operator', 'op'));
    opB.send({ type: 'subscribe', id: 1, topic: T, history: 0 });
    await opB.next('subscribed');
    await using devA = await TestSocket.connect(a.wsUrl, await a.token('device', 'd1'));
    await using devB = await TestSocket.connect(b.wsUrl, await b.token('device', 'd1'));
    devA.send({ type: 'publish', id: 1, topic: T, key: 'x-1', payload: reading(1) });
    expect(await devA.next('ack')).toMatchObject({ seq: 1 });
    devB.send({ type: 'publish', id: 1, topic: T, key: 'x-1', payload: reading(1) });
    expect(await devB.next('ack')).toMatchObject({ seq: 1 });
    devB.send({ type: 'publish', id: 2, topic: T, key: 'x-2', payload: reading(2) });
    expect(await devB.next('ack')).toMatchObject({ seq: 2 });
    expect((await opB.messages(2, T)).map((m) => m.seq)).toEqual([1, 2]);
    expect(opB.frames.filter((f) => f.type === 'message' || f.type === 'batch')).toEqual([]);
  });
});
