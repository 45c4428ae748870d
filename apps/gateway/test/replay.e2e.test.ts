import type { ServerMessage } from '@pulse/protocol';
import { describe, expect, it } from 'vitest';
import { reading } from './fixtures.js';
import { BUSES, gatewaysOn } from './gateway-resource.js';
import { TestSocket } from './test-socket.js';

type Frame = ServerMessage;

const DEVICES = Array.from({ length: 12 }, (_, i) => `d${i + 1}`);
const METRICS = ['temperature', 'humidity', 'vibration', 'battery'];
/** Publishes per topic before the operator opens the fleet view. */
const HELD = 400;
const HISTORY = 300;

/** Every frame until the `pong` with `ts` (the server answers in order: nothing sent before it is missing). */
async function untilPong(s: TestSocket, ts: number): Promise<Frame[]> {
  const out: Frame[] = [];
  for (;;) {
    const f = await s.next(() => true);
    if (f.type === 'pong' && f.ts === ts) return out;
    out.push(f);
  }
}

/** Per topic, the seqs received (batches unpacked), in arrival order. */
function seqsByTopic(frames: readonly Frame[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const add = (topic: string, seq: number) => {
    let list = out.get(topic);
    if (!list) out.set(topic, (list = []));
    list.push(seq);
  };
  for (const f of frames) {
    if (f.type === 'message') add(f.topic, f.seq);
    else if (f.type === 'batch') for (const m of f.messages) add(m.topic, m.seq);
  }
  return out;
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe.each(BUSES)('replays under a slow reader (%s bus)', (bus) => {
  const startGateway = gatewaysOn(bus);

  it('the fleet view gets every history replay whole while its socket reads slowly, then live ones', async () => {
    // A soft mark far under what the replays take, so the reader is "slow" for most of them.
    await using gw = await startGateway({
      SLOW_SOFT_BYTES: '16384',
      SLOW_MAX_MS: '10000',
      // The test publishes ~20,000 readings as fast as acks come back.
      PUBLISH_LIMITS: 'admin=1000000/1000000',
    });
    await using feed = await TestSocket.connect(gw.wsUrl, await gw.token('admin', 'sim'));
    let id = 0;
    const publishRound = async (value: number) => {
      for (const d of DEVICES)
        for (const m of METRICS)
          feed.send({
            type: 'publish',
            id: ++id,
            topic: `device.${d}.${m}`,
            payload: reading(value),
          });
      const last = id;
      await feed.next('ack', (f) => f.id === last);
    };
    for (let v = 1; v <= HELD; v++) await publishRound(v);

    await using op = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    op.pauseReading(); // reads nothing for its first 300 ms
    METRICS.forEach((m, i) =>
      op.send({ type: 'subscribe', id: i + 1, topic: `device.*.${m}`, history: HISTORY }),
    );
    // Live traffic goes on meanwhile.
    for (let v = HELD + 1; v <= HELD + 20; v++) await publishRound(v);
    await new Promise((resolve) => setTimeout(resolve, 300));
    op.resumeReading();
    op.send({ type: 'ping', ts: 1 });
    const frames = await untilPong(op, 1);

    const subscribed = frames.filter((f) => f.type === 'subscribed');
    expect(subscribed.map((f) => f.id).sort()).toEqual([1, 2, 3, 4]);
    const conflated = frames.filter((f) => f.type === 'notice' && f.code === 'CONFLATED');
    const byTopic = seqsByTopic(frames);
    expect(byTopic.size).toBe(DEVICES.length * METRICS.length);
    for (const [topic, seqs] of byTopic) {
      // The replay: the last HISTORY messages held when the subscribe was served (live traffic
      // went on meanwhile), every one, in order.
      const replay = seqs.slice(0, HISTORY);
      expect(replay[0], topic).toBeGreaterThanOrEqual(HELD - HISTORY + 1);
      expect(replay[0], topic).toBeLessThanOrEqual(HELD + 20 - HISTORY + 1);
      expect(replay, topic).toEqual(range(replay[0]!, replay[0]! + HISTORY - 1));
      // Live after it: increasing, ends on the latest, and any gap was announced.
      const live = seqs.slice(HISTORY - 1);
      for (let i = 1; i < live.length; i++) expect(live[i]!).toBeGreaterThan(live[i - 1]!);
      expect(live.at(-1), topic).toBe(HELD + 20);
      if (live.length < live.at(-1)! - live[0]! + 1)
        expect(conflated.length, topic).toBeGreaterThan(0);
    }
  }, 60_000);
});

// On the memory bus an update is in every subscriber's queue before its publish is acked, so
// a ping sent after an ack fences exactly the updates up to it.
describe('reply order (memory bus)', () => {
  const startGateway = gatewaysOn('memory');

  it('a reply never overtakes the updates queued before it, also while the reader is slow', async () => {
    await using gw = await startGateway({
      SLOW_SOFT_BYTES: '4096',
      SLOW_HARD_BYTES: '100000000',
      SLOW_MAX_MS: '10000',
      PUBLISH_LIMITS: 'device=1000000/1000000',
    });
    await using dev = await TestSocket.connect(gw.wsUrl, await gw.token('device', 'd1'));
    await using op = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    const topic = 'device.d1.temperature';
    op.send({ type: 'subscribe', id: 1, topic, history: 0 });
    await op.next('subscribed');
    op.pauseReading();
    let id = 0;
    for (let round = 1; round <= 12; round++) {
      // Enough to fill the kernel's buffers for the paused reader, so the gateway's queue holds the rest.
      for (let i = 0; i < 4000; i++)
        dev.send({ type: 'publish', id: ++id, topic, payload: reading(id) });
      const last = id;
      await dev.next('ack', (f) => f.id === last);
      // Updates up to `last` are in the subscriber's queue now: the pong must come after them.
      op.send({ type: 'ping', ts: last });
    }
    op.send({ type: 'unsubscribe', id: 2, topic });
    op.resumeReading();
    const frames: Frame[] = [];
    for (;;) {
      const f = await op.next(() => true);
      frames.push(f);
      if (f.type === 'unsubscribed') break;
    }
    // Whatever was skipped was announced; before each pong, the update it fences has arrived.
    let lastSeq = 0;
    let skippedTold = 0;
    for (const f of frames) {
      if (f.type === 'message') lastSeq = f.seq;
      else if (f.type === 'batch') lastSeq = f.messages.at(-1)?.seq ?? lastSeq;
      else if (f.type === 'notice' && f.code === 'CONFLATED') skippedTold += f.skipped ?? 0;
      else if (f.type === 'pong') expect(lastSeq, `pong ${f.ts}`).toBeGreaterThanOrEqual(f.ts!);
    }
    const delivered = [...(seqsByTopic(frames).get(topic) ?? [])];
    expect(delivered.at(-1)).toBe(id);
    expect(skippedTold).toBe(id - delivered.length);
    // Nothing after `unsubscribed`.
    op.send({ type: 'ping', ts: 424242 });
    expect(await untilPong(op, 424242)).toEqual([]);
  }, 60_000);
});
