import { describe, expect, it } from 'vitest';
import { PulseError } from '../src/index.js';
import { Inbox, createClient, nextEvent, startServer, waitForStatus } from './helpers.js';
import { topicMessage } from './fake-server.js';

const reading = (value: number) => ({ value, unit: 'C', ts: 1_700_000_000_000 });

describe('publish', () => {
  it('with ack resolves with the server Ack', async () => {
    const server = await startServer();
    const client = createClient(server);
    const ack = await client.publish('device.d1.temperature', reading(21.5), { ack: true });
    expect(ack).toEqual({
      type: 'ack',
      id: expect.any(Number),
      topic: 'device.d1.temperature',
      seq: 1,
    });
    const conn = await server.connection(0);
    expect(conn.frames('publish')[0]).toEqual({
      type: 'publish',
      id: ack.id,
      topic: 'device.d1.temperature',
      payload: reading(21.5),
    });
  });

  it('rejects with PulseError on an error frame for that request, without an error event', async () => {
    const server = await startServer({ ack: false });
    const client = createClient(server);
    const errors: unknown[] = [];
    client.on('error', (e) => errors.push(e));
    const pending = client.publish(
      'price.X',
      { bid: 1, ask: 2, last: 1.5, volume: 0, ts: 1 },
      { ack: true },
    );
    const conn = await server.connection(0);
    const frame = await conn.next('publish');
    conn.send({
      type: 'error',
      code: 'RATE_LIMITED',
      message: 'slow down',
      ref: frame.id,
      retryAfterMs: 250,
    });

    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PulseError);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', message: 'slow down', retryAfterMs: 250 });

    // An error about nothing we await is an event.
    const event = nextEvent(client, 'error');
    conn.send({ type: 'error', code: 'FORBIDDEN', message: 'not yours', topic: 'price.Y' });
    expect(await event).toMatchObject({ code: 'FORBIDDEN', topic: 'price.Y' });
    expect(errors).toHaveLength(1);
  });

  it('rejects with DISCONNECTED when the link drops before the ack', async () => {
    const server = await startServer({ ack: false });
    const client = createClient(server);
    const pending = client.publish(
      'price.X',
      { bid: 1, ask: 2, last: 1.5, volume: 0, ts: 1 },
      { ack: true },
    );
    const conn = await server.connection(0);
    await conn.next('publish');
    conn.terminate();
    await expect(pending).rejects.toMatchObject({ code: 'DISCONNECTED' });
  });

  it('rejects with TIMEOUT when no ack comes in time', async () => {
    const server = await startServer({ ack: false });
    const client = createClient(server, { requestTimeoutMs: 50 });
    const pending = client.publish(
      'price.X',
      { bid: 1, ask: 2, last: 1.5, volume: 0, ts: 1 },
      { ack: true },
    );
    await expect(pending).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('queues publishes while disconnected and sends them, in order, after welcome and resubscribe', async () => {
    const server = await startServer({ welcome: (i) => (i === 1 ? false : {}) });
    const client = createClient(server);
    client.subscribe('device.d1.temperature', () => {});
    await waitForStatus(client, 'connected');
    (await server.connection(0)).terminate();
    await waitForStatus(client, 'reconnecting');

    client.publish('device.d1.temperature', reading(1));
    const acked = client.publish('device.d1.temperature', reading(2), { ack: true });
    client.publish('device.d1.temperature', reading(3));

    const second = await server.connection(1);
    expect(second.received).toEqual([]); // nothing goes out before the welcome
    second.welcome();
    expect((await acked).seq).toBe(1);
    await second.next('publish', (p) => (p.payload as { value: number }).value === 3);
    expect(second.received.map((m) => m.type)).toEqual([
      'subscribe',
      'publish',
      'publish',
      'publish',
    ]);
    expect(second.frames('publish').map((p) => (p.payload as { value: number }).value)).toEqual([
      1, 2, 3,
    ]);
  });

  it('bounds the offline queue: beyond it acked publishes reject QUEUE_FULL, others are counted as dropped', async () => {
    const server = await startServer({ welcome: () => false });
    const client = createClient(server, { maxQueuedPublishes: 2 });
    client.connect();
    await server.connection(0);
    const first = client.publish(
      'price.X',
      { bid: 1, ask: 2, last: 1.5, volume: 0, ts: 1 },
      { ack: true },
    );
    client.publish('price.X', { bid: 1, ask: 2, last: 1.5, volume: 0, ts: 2 });
    await expect(
      client.publish('price.X', { bid: 1, ask: 2, last: 1.5, volume: 0, ts: 3 }, { ack: true }),
    ).rejects.toMatchObject({
      code: 'QUEUE_FULL',
    });
    client.publish('price.X', { bid: 1, ask: 2, last: 1.5, volume: 0, ts: 4 });
    expect(client.stats.dropped).toBe(1);

    // close() fails what is still queued.
    client.close();
    await expect(first).rejects.toMatchObject({ code: 'DISCONNECTED' });
    await expect(
      client.publish('price.X', { bid: 1, ask: 2, last: 1.5, volume: 0, ts: 5 }, { ack: true }),
    ).rejects.toMatchObject({
      code: 'DISCONNECTED',
    });
  });

  it('refuses a pattern or bad topic', async () => {
    const server = await startServer();
    const client = createClient(server);
    expect(() =>
      client.publish('price.*', { bid: 1, ask: 2, last: 1.5, volume: 0, ts: 1 }),
    ).toThrow(PulseError);
    await expect(
      client.publish('price.*', { bid: 1, ask: 2, last: 1.5, volume: 0, ts: 1 }, { ack: true }),
    ).rejects.toMatchObject({
      code: 'INVALID_TOPIC',
    });
  });
});

describe('msgpack', () => {
  it('speaks binary MessagePack end to end: subscribe, messages, batch, resume, publish', async () => {
    const server = await startServer();
    const client = createClient(server, { codec: 'msgpack' });
    const inbox = new Inbox();
    client.subscribe('price.*', inbox.handler);
    const conn = await server.connection(0);
    expect(conn.codec.name).toBe('msgpack');
    await conn.next('subscribe');
    conn.message('price.A', 1, { bid: 1.25, ask: 1.5, last: 1.3, volume: 10, ts: 5 });
    conn.batch([topicMessage('price.B', 1), topicMessage('price.A', 2)]);
    await inbox.until(3);
    expect(inbox.messages[0]?.payload).toEqual({
      bid: 1.25,
      ask: 1.5,
      last: 1.3,
      volume: 10,
      ts: 5,
    });
    expect(inbox.messages.map((m) => `${m.topic}#${m.seq}`)).toEqual([
      'price.A#1',
      'price.B#1',
      'price.A#2',
    ]);

    const ack = await client.publish(
      'price.A',
      { bid: 1, ask: 2, last: 1.5, volume: 0, ts: 1 },
      { ack: true },
    );
    expect(ack.topic).toBe('price.A');

    conn.terminate();
    const second = await server.connection(1);
    expect((await second.next('subscribe')).positions).toEqual({
      'price.A': { seq: 2, epoch: 'e1' },
      'price.B': { seq: 1, epoch: 'e1' },
    });
    expect(conn.binaryFrames).toBe(conn.received.length);
    expect(conn.invalid).toEqual([]);
  });
});
