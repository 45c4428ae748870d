import { describe, expect, it } from 'vitest';
import type { PriceTick, SensorReading } from '@pulse/protocol';
import { Inbox, createClient, nextEvent, startServer, waitForStatus } from './helpers.js';
import { topicMessage } from './fake-server.js';

describe('subscriptions', () => {
  it('delivers messages and unpacks batches in order', async () => {
    const server = await startServer();
    const client = createClient(server);
    const inbox = new Inbox<PriceTick>();
    client.subscribe('price.X', inbox.handler, { history: 5, maxRate: 4 });
    const conn = await server.connection(0);
    expect(await conn.next('subscribe')).toMatchObject({
      topic: 'price.X',
      history: 5,
      maxRate: 4,
    });

    conn.message('price.X', 1);
    conn.batch([
      topicMessage('price.X', 2),
      topicMessage('price.X', 3),
      topicMessage('price.X', 4),
    ]);
    conn.message('price.X', 5);
    await inbox.until(5);
    expect(inbox.seqs()).toEqual([1, 2, 3, 4, 5]);
    expect(client.stats.messages).toBe(5);
    expect(conn.invalid).toEqual([]);
  });

  it('a wildcard handler gets every matching topic, and nothing else', async () => {
    const server = await startServer();
    const client = createClient(server);
    const inbox = new Inbox<SensorReading>();
    client.subscribe('device.*.temperature', inbox.handler);
    const conn = await server.connection(0);
    await conn.next('subscribe');
    conn.batch([
      topicMessage('device.a.temperature', 1),
      topicMessage('device.b.temperature', 1),
      topicMessage('device.a.humidity', 1),
      topicMessage('device.a.temperature', 2),
    ]);
    await inbox.until(3);
    expect(inbox.messages.map((m) => `${m.topic}#${m.seq}`)).toEqual([
      'device.a.temperature#1',
      'device.b.temperature#1',
      'device.a.temperature#2',
    ]);
  });

  it('resumes an exact topic with since/epoch, drops the overlap and keeps order', async () => {
    const server = await startServer();
    const client = createClient(server);
    const inbox = new Inbox();
    client.subscribe('price.X', inbox.handler, { history: 10 });
    const first = await server.connection(0);
    expect(await first.next('subscribe')).toEqual({
      type: 'subscribe',
      id: 1,
      topic: 'price.X',
      history: 10,
    });
    for (const seq of [1, 2, 3]) first.message('price.X', seq, undefined, 'e7');
    await inbox.until(3);

    const resumed = nextEvent(client, 'resumed');
    first.terminate();
    const second = await server.connection(1);
    const resubscribe = await second.next('subscribe');
    expect(resubscribe).toMatchObject({ topic: 'price.X', since: 3, epoch: 'e7' });
    expect(resubscribe).not.toHaveProperty('history');
    expect(await resumed).toEqual({ topic: 'price.X', recovered: true });

    // The server replays from an older point than we asked: 2 and 3 are duplicates.
    for (const seq of [2, 3, 4, 5]) second.message('price.X', seq, undefined, 'e7');
    second.batch([
      topicMessage('price.X', 5, undefined, 'e7'),
      topicMessage('price.X', 6, undefined, 'e7'),
    ]);
    await inbox.until(6);
    expect(inbox.seqs()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(client.stats.duplicates).toBe(3);
  });

  it('resumes a pattern with positions per concrete topic; recovered:false surfaces as resumed', async () => {
    const server = await startServer({
      subscribed: (s) => (s.positions ? { recovered: false } : {}),
    });
    const client = createClient(server);
    const inbox = new Inbox();
    client.subscribe('device.*.temperature', inbox.handler);
    const first = await server.connection(0);
    await first.next('subscribe');
    first.message('device.a.temperature', 1);
    first.message('device.a.temperature', 2);
    first.message('device.b.temperature', 7, undefined, 'eb');
    await inbox.until(3);

    const resumed = nextEvent(client, 'resumed');
    first.close(4100, 'slow');
    const second = await server.connection(1);
    const resubscribe = await second.next('subscribe');
    expect(resubscribe.positions).toEqual({
      'device.a.temperature': { seq: 2, epoch: 'e1' },
      'device.b.temperature': { seq: 7, epoch: 'eb' },
    });
    expect(resubscribe).not.toHaveProperty('since');
    expect(await resumed).toEqual({ topic: 'device.*.temperature', recovered: false });

    // Latest values after an unrecoverable gap; a topic whose epoch changed starts over.
    second.message('device.b.temperature', 7, undefined, 'eb'); // already seen
    second.message('device.a.temperature', 1, undefined, 'e2'); // new epoch
    second.message('device.c.temperature', 1);
    await inbox.until(5);
    expect(inbox.messages.slice(3).map((m) => `${m.topic}#${m.seq}@${m.epoch}`)).toEqual([
      'device.a.temperature#1@e2',
      'device.c.temperature#1@e1',
    ]);
  });

  it('resubscribes without resume fields when nothing was received yet', async () => {
    const server = await startServer();
    const client = createClient(server);
    client.subscribe('price.*', () => {}, { history: 3 });
    (await server.connection(0)).terminate();
    const second = await server.connection(1);
    const sub = await second.next('subscribe');
    expect(sub).toEqual({ type: 'subscribe', id: sub.id, topic: 'price.*', history: 3 });
  });

  it('local subscriptions to one pattern share one server subscription; the last one unsubscribes', async () => {
    const server = await startServer();
    const client = createClient(server);
    const a = new Inbox();
    const b = new Inbox();
    const offA = client.subscribe('price.X', a.handler);
    const conn = await server.connection(0);
    await conn.next('subscribe');
    conn.message('price.X', 1);
    await a.until(1);

    // A late subscriber gets the latest value we have: the server will not send it again.
    const offB = client.subscribe('price.X', b.handler);
    await b.until(1);
    conn.message('price.X', 2);
    await Promise.all([a.until(2), b.until(2)]);
    expect(a.seqs()).toEqual([1, 2]);
    expect(b.seqs()).toEqual([1, 2]);

    offA();
    offA(); // idempotent
    offB();
    const unsubscribe = await conn.next('unsubscribe');
    expect(unsubscribe.topic).toBe('price.X');
    expect(conn.frames('subscribe')).toHaveLength(1);
    expect(conn.frames('unsubscribe')).toHaveLength(1);

    // After the last unsubscribe, messages in flight reach nobody.
    conn.message('price.X', 3);
    const c = new Inbox();
    client.subscribe('price.Y', c.handler);
    await conn.next('subscribe', (s) => s.topic === 'price.Y');
    conn.message('price.Y', 1);
    await c.until(1);
    expect(a.seqs()).toEqual([1, 2]);
  });

  it('subscriptions made while offline are sent after welcome', async () => {
    const server = await startServer({ welcome: (i) => (i === 1 ? false : {}) });
    const client = createClient(server);
    client.connect();
    await waitForStatus(client, 'connected');
    (await server.connection(0)).terminate();
    await waitForStatus(client, 'reconnecting');
    client.subscribe('price.Z', () => {});
    const second = await server.connection(1);
    second.welcome();
    expect((await second.next('subscribe')).topic).toBe('price.Z');
  });

  it('a refused subscribe is an error event and is tried again on the next connection', async () => {
    const server = await startServer({ subscribed: false });
    const client = createClient(server);
    client.subscribe('alarm.*.temperature', () => {});
    const first = await server.connection(0);
    const sub = await first.next('subscribe');
    const error = nextEvent(client, 'error');
    first.send({ type: 'error', code: 'FORBIDDEN', message: 'no alarms for you', ref: sub.id });
    expect(await error).toMatchObject({ code: 'FORBIDDEN', ref: sub.id });
    first.terminate();
    expect((await (await server.connection(1)).next('subscribe')).topic).toBe(
      'alarm.*.temperature',
    );
  });

  it('rejects invalid patterns at the call', async () => {
    const server = await startServer();
    const client = createClient(server);
    expect(() => client.subscribe('device.*.*', () => {})).toThrow(/invalid topic pattern/);
    expect(() => client.subscribe('nope.X', () => {})).toThrowError(
      expect.objectContaining({ code: 'INVALID_TOPIC' }),
    );
    expect(client.status).toBe('disconnected');
  });
});
