import { CloseCode } from '@pulse/protocol';
import { describe, expect, it } from 'vitest';
import { startGateway, type GatewayResource } from './gateway-resource.js';
import { TestSocket } from './test-socket.js';
import { tick } from './fixtures.js';

/** Stops reading a socket: the kernel buffers fill, then the gateway's send buffer grows. */
function stall(s: TestSocket): { resume(): void } {
  s.pauseReading();
  return { resume: () => s.resumeReading() };
}

/** `pulse_closes_total` by code, as scraped. */
async function closesByCode(gw: GatewayResource): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [, code, n] of (await gw.metrics()).matchAll(
    /pulse_closes_total\{code="(\d+)"\} (\d+)/g,
  ))
    out[code!] = Number(n);
  return out;
}

const slowCloses = async (gw: GatewayResource) =>
  Number(/pulse_slow_consumer_closes_total (\d+)/.exec(await gw.metrics())?.[1] ?? 0);

/**
 * Publishes rounds of `perRound` updates on 50 topics (each round ends with an acked publish, so
 * the gateway has fanned it out) until the gateway closed a slow consumer or `rounds` ran out.
 */
async function publishUntilSlowClose(
  gw: GatewayResource,
  feed: TestSocket,
  perRound: number,
  rounds = 60,
): Promise<void> {
  let sent = 0;
  for (let round = 0; round < rounds && (await slowCloses(gw)) === 0; round++) {
    for (let i = 0; i < perRound; i++)
      feed.send({ type: 'publish', topic: `price.S${i % 50}`, payload: tick(++sent + 0.123) });
    feed.send({ type: 'publish', id: round, topic: 'price.S0', payload: tick(++sent) });
    await feed.next('ack', (f) => f.id === round);
  }
}

describe('slow consumers', () => {
  it(
    'closes a client over the hard mark on the update path with 4100, long before SLOW_MAX_MS',
    { timeout: 45_000 },
    async () => {
      const maxMs = 60_000;
      await using gw = await startGateway({
        SLOW_SOFT_BYTES: '4096',
        SLOW_HARD_BYTES: '65536',
        SLOW_MAX_MS: String(maxMs),
        // A batch window long enough that one flush carries more than the hard mark.
        BATCH_WINDOW_MS: '50',
        // No heartbeat ping: a control frame checks the hard mark too, and would hide a missing
        // check on the update path.
        HEARTBEAT_MS: '300000',
        PUBLISH_LIMITS: 'feed=1000000/1000000',
      });
      await using stalled = await TestSocket.connect(
        gw.wsUrl,
        await gw.token('operator', 'stalled'),
      );
      stalled.send({ type: 'subscribe', id: 1, topic: 'price.*', history: 0 });
      await stalled.next('subscribed');
      const reader = stall(stalled);
      await using feed = await TestSocket.connect(gw.wsUrl, await gw.token('feed', 'f'));
      const started = Date.now();
      await publishUntilSlowClose(gw, feed, 2000);
      const took = Date.now() - started;
      expect(await slowCloses(gw), 'the stalled client is still open after 60 rounds').toBe(1);
      // Filling the loopback buffers takes a second or two (nine on two busy cores); a close that
      // waited for SLOW_MAX_MS would take a minute.
      expect(took).toBeLessThan(maxMs / 3);
      reader.resume();
      expect([CloseCode.SLOW_CONSUMER, 1006]).toContain((await stalled.closed).code);
    },
  );

  it('counts a slow-consumer close as 4100 in pulse_closes_total, though the peer never answers', async () => {
    await using gw = await startGateway({
      SLOW_SOFT_BYTES: '4096',
      SLOW_HARD_BYTES: '262144',
      SLOW_MAX_MS: '200',
      PUBLISH_LIMITS: 'feed=1000000/1000000',
    });
    await using stalled = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'stalled'));
    stalled.send({ type: 'subscribe', id: 1, topic: 'price.*', history: 0 });
    await stalled.next('subscribed');
    const reader = stall(stalled);
    await using feed = await TestSocket.connect(gw.wsUrl, await gw.token('feed', 'f'));
    await publishUntilSlowClose(gw, feed, 5000);
    expect(await slowCloses(gw)).toBe(1);
    // Still not reading, so the close frame stays unanswered until the gateway drops the socket.
    await expect.poll(() => closesByCode(gw), { timeout: 5000, interval: 50 }).not.toEqual({});
    expect(await closesByCode(gw)).toEqual({ [CloseCode.SLOW_CONSUMER]: 1 });
    reader.resume();
    await stalled.closed;
  });
});
