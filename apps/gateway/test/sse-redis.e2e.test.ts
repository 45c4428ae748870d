import { describe, expect, it } from 'vitest';
import { freshPrefix, gatewaysOn } from './gateway-resource.js';
import { SseReader } from './sse-reader.js';
import { TestSocket } from './test-socket.js';
import { tick } from './fixtures.js';

describe('SSE on Redis', () => {
  const startGateway = gatewaysOn('redis');

  it('resumes with Last-Event-ID on another instance, with per-topic epochs, exactly', async () => {
    const REDIS_KEY_PREFIX = freshPrefix();
    await using a = await startGateway({ REDIS_KEY_PREFIX });
    await using b = await startGateway({ REDIS_KEY_PREFIX });
    await using feed = await TestSocket.connect(a.wsUrl, await a.token('feed', 'f'));
    const publish = async (topic: string, from: number, to: number) => {
      for (let i = from; i <= to; i++)
        feed.send({ type: 'publish', id: i, topic, payload: tick(i) });
      await feed.next('ack', (m) => m.id === to && m.topic === topic);
    };
    const path = `/sse?topics=price.*&history=0&token=${await a.token('operator', 'op')}`;
    const first = await SseReader.open(`${a.httpUrl}${path}`);
    await first.frame('subscribed');
    await publish('price.A', 1, 2);
    await publish('price.B', 1, 1);
    await first.until((r) => r.messages.length === 3);
    const id = first.lastEventId;
    expect(id).toMatch(/^price\.A:2:[^,]+,price\.B:1(:[^,]+)?$/);
    await first[Symbol.asyncDispose]();

    await publish('price.B', 2, 3); // missed
    await using again = await SseReader.open(`${b.httpUrl}${path}`, { 'last-event-id': id });
    expect(await again.frame('subscribed')).toMatchObject({ recovered: true });
    await publish('price.A', 3, 3); // live, through Redis
    await again.until((r) => r.messages.length === 3);
    expect(again.messages.map((m) => `${m.topic}#${m.seq}`)).toEqual([
      'price.B#2',
      'price.B#3',
      'price.A#3',
    ]);
  });
});
