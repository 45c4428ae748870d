import { describe, expect, it } from 'vitest';
import { startGateway } from './gateway-resource.js';
import { range, tick } from './fixtures.js';
import { TestSocket } from './test-socket.js';

/** A gauge or counter's value in a Prometheus text scrape. */
function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`${name} not in /metrics`);
  return Number(line.slice(name.length + 1));
}

describe('history memory of the embedded bus (HISTORY_MEMORY_MAX_BYTES)', () => {
  it('stays within the budget across topics, evicting the oldest; every topic keeps a contiguous history and its latest value', async () => {
    const maxBytes = 1 << 20;
    await using gw = await startGateway({
      HISTORY_MEMORY_MAX_BYTES: String(maxBytes),
      HISTORY_SIZE: '1000',
    });
    await using feed = await TestSocket.connect(gw.wsUrl, await gw.token('feed', 'f'));
    const topics = range(1, 40).map((i) => `price.S${i}`);
    // 40 topics × 100 = 4000 messages, several MB estimated: far over 1 MiB.
    let id = 0;
    for (const round of range(1, 100)) {
      for (const topic of topics)
        feed.send({ type: 'publish', id: ++id, topic, payload: tick(round) });
      if (round % 10 === 0) await feed.next('ack', (f) => f.id === id);
    }

    const scrape = await gw.metrics();
    const bytes = metric(scrape, 'pulse_bus_history_bytes');
    expect(bytes).toBeGreaterThan(maxBytes * 0.9);
    expect(bytes).toBeLessThanOrEqual(maxBytes);
    expect(metric(scrape, 'pulse_bus_history_max_bytes')).toBe(maxBytes);
    expect(metric(scrape, 'pulse_bus_history_topics')).toBe(40);
    const held = metric(scrape, 'pulse_bus_history_messages');
    expect(held + metric(scrape, 'pulse_bus_history_evicted_total')).toBe(4000);

    await using op = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    // The oldest went first: the first topic lost more of its history than the last one.
    const heldOf = async (topic: string, id: number) => {
      op.send({ type: 'subscribe', id, topic, history: 1000 });
      await op.next('subscribed', (f) => f.id === id);
      // A batch arrives whole: `messages(1)` may return more than one.
      return op.messages(1, topic).then(async (first) => {
        const n = 100 - first[0]!.seq + 1;
        const rest = n > first.length ? await op.messages(n - first.length, topic) : [];
        const seqs = [...first, ...rest].map((m) => m.seq);
        expect(seqs).toEqual(range(first[0]!.seq, 100)); // contiguous, ending at the latest
        return seqs.length;
      });
    };
    const counts = [];
    for (const [i, topic] of topics.entries()) counts.push(await heldOf(topic, 100 + i));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(held);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(1);

    // A resume from an evicted position is told so, and gets the latest value.
    const epoch = await epochOf(gw.wsUrl, await gw.token('operator', 'op3'));
    await using late = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op2'));
    late.send({ type: 'subscribe', id: 1, topic: 'price.S1', since: 1, epoch });
    expect(await late.next('subscribed')).toMatchObject({ recovered: false });
    expect((await late.messages(1, 'price.S1')).map((m) => m.seq)).toEqual([100]);
  }, 30_000);
});

/** The bus epoch, from a fresh subscription's answer. */
async function epochOf(url: string, token: string): Promise<string> {
  await using s = await TestSocket.connect(url, token);
  s.send({ type: 'subscribe', id: 1, topic: 'price.S40', history: 0 });
  const f = await s.next('subscribed');
  return (f as unknown as { epoch: string }).epoch;
}
