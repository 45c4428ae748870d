import { describe, expect, it } from 'vitest';
import { createClient, startServer } from './helpers.js';

const tick = { bid: 1, ask: 2, last: 1.5, volume: 0, ts: 1 };

describe('publish with retry', () => {
  it('retries OUTCOME_UNKNOWN and UNAVAILABLE with the same key and a new id, then resolves with the ack', async () => {
    const server = await startServer({ ack: false });
    const client = createClient(server);
    const pending = client.publish('price.X', tick, { ack: true, retry: true });
    const conn = await server.connection(0);
    const first = await conn.next('publish');
    expect(first.key).toMatch(/^[a-z0-9]{12}-0$/);
    conn.send({
      type: 'error',
      code: 'OUTCOME_UNKNOWN',
      message: '?',
      ref: first.id,
      retryAfterMs: 1,
    });
    const second = await conn.next('publish', (m) => m.id !== first.id);
    conn.send({
      type: 'error',
      code: 'UNAVAILABLE',
      message: 'no',
      ref: second.id,
      retryAfterMs: 1,
    });
    const third = await conn.next('publish', (m) => m.id !== first.id && m.id !== second.id);
    expect([second.key, third.key]).toEqual([first.key, first.key]);
    expect(new Set([first.id, second.id, third.id]).size).toBe(3);
    conn.send({ type: 'ack', id: third.id!, topic: 'price.X', seq: 7 });
    expect(await pending).toMatchObject({ id: third.id, seq: 7 });
    expect(client.stats.publishRetries).toBe(2);
  });

  it('sends the same key again after a reconnect when the link dropped before the ack', async () => {
    const server = await startServer({ ack: false });
    const client = createClient(server);
    const pending = client.publish('price.X', tick, { ack: true, retry: true, key: 'mine-1' });
    const first = await (await server.connection(0)).next('publish');
    expect(first.key).toBe('mine-1');
    (await server.connection(0)).terminate();
    const conn = await server.connection(1);
    const again = await conn.next('publish');
    expect(again).toMatchObject({ key: 'mine-1', topic: 'price.X', payload: tick });
    conn.send({ type: 'ack', id: again.id!, topic: 'price.X', seq: 1 });
    expect(await pending).toMatchObject({ seq: 1 });
  });

  it('does not retry a refusal that cannot succeed, nor without retry', async () => {
    const server = await startServer({ ack: false });
    const client = createClient(server);
    const refused = client.publish('price.X', tick, { ack: true, retry: true });
    const conn = await server.connection(0);
    const frame = await conn.next('publish');
    conn.send({ type: 'error', code: 'FORBIDDEN', message: 'no', ref: frame.id });
    await expect(refused).rejects.toMatchObject({ code: 'FORBIDDEN' });

    const plain = client.publish('price.X', tick, { ack: true });
    const once = await conn.next('publish', (m) => m.id !== frame.id);
    expect(once.key).toBeUndefined();
    conn.send({ type: 'error', code: 'UNAVAILABLE', message: 'no', ref: once.id, retryAfterMs: 1 });
    await expect(plain).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(client.stats.publishRetries).toBe(0);
  });

  it('gives up with the last error once publishRetryDeadlineMs has passed', async () => {
    const server = await startServer({ ack: false });
    const client = createClient(server, { publishRetryDeadlineMs: 50 });
    const pending = client.publish('price.X', tick, { ack: true, retry: true });
    const conn = await server.connection(0);
    const frame = await conn.next('publish');
    conn.send({
      type: 'error',
      code: 'RATE_LIMITED',
      message: 'slow',
      ref: frame.id,
      retryAfterMs: 100,
    });
    await expect(pending).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('a fire-and-forget publish carries a given key', async () => {
    const server = await startServer();
    const client = createClient(server);
    client.publish('price.X', tick, { key: 'ff-1' });
    expect(await (await server.connection(0)).next('publish')).toMatchObject({ key: 'ff-1' });
  });
});
