import { describe, expect, it } from 'vitest';
import { tick } from '../fixtures.js';
import { freshPrefix, startGateway } from '../gateway-resource.js';
import { startRedis } from '../redis/redis-server.js';
import { TestSocket } from '../test-socket.js';

/**
 * The delivery property's first counterexample, kept as a plain test. Protocol §13.2 says
 * `UNAVAILABLE` means "nothing was stored" (and is retryable), but a publish that timed out
 * against a hung Redis is still in Redis's socket buffer and runs when Redis resumes: it is
 * stored, gets a seq and reaches every subscriber, and a publisher that retries stores it twice.
 * `it.fails` until the gateway stops promising "not stored" for a timeout (a distinct code for an
 * unknown outcome, idempotency keys, or a script that refuses to run past its deadline).
 */
describe('a publish refused while Redis hangs', () => {
  it.fails('is not stored when Redis resumes', async () => {
    await using redis = await startRedis();
    await using gw = await startGateway({
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: freshPrefix(),
      REDIS_COMMAND_TIMEOUT_MS: '300',
    });
    await using op = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    op.send({ type: 'subscribe', id: 1, topic: 'price.X', history: 0 });
    await op.next('subscribed');
    await using feed = await TestSocket.connect(gw.wsUrl, await gw.token('feed', 'f'));
    redis.pause();
    try {
      feed.send({ type: 'publish', id: 1, topic: 'price.X', payload: tick(1) });
      expect(await feed.next('error')).toMatchObject({ code: 'UNAVAILABLE', ref: 1 });
    } finally {
      redis.resume();
    }
    // Publish until Redis takes one again: the first stored message must be this one.
    for (let id = 2; ; id++) {
      feed.send({ type: 'publish', id, topic: 'price.X', payload: tick(id) });
      const reply = await feed.next(
        (f) => (f.type === 'ack' || f.type === 'error') && (f.type === 'ack' ? f.id : f.ref) === id,
      );
      if (reply.type === 'ack') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const [first] = await op.messages(1);
    expect(first!.payload).not.toMatchObject({ last: 1 });
  });
});
