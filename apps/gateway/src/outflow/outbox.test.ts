import { CloseCode } from '@pulse/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flatten, msg, outboxSetup } from './test-outbox.js';

describe('Outbox', () => {
  afterEach(() => vi.useRealTimers());

  it('sends updates of one window as one batch frame, a single update as itself', () => {
    vi.useFakeTimers();
    const { box, frames, stats } = outboxSetup();
    box.live(msg('price.A', 1));
    box.live(msg('price.B', 1));
    box.live(msg('price.A', 2));
    expect(frames).toHaveLength(0);
    vi.advanceTimersByTime(5);
    expect(frames).toHaveLength(1);
    expect(flatten(frames)).toEqual(['price.A#1', 'price.B#1', 'price.A#2']);
    box.live(msg('price.A', 3));
    vi.advanceTimersByTime(5);
    expect(JSON.parse(frames[1]!)).toMatchObject({ type: 'message', seq: 3 });
    expect(stats).toMatchObject({ delivered: 4, frames: 2, batches: 1 });
  });

  it('with a zero window sends at once', () => {
    const { box, frames } = outboxSetup({ BATCH_WINDOW_MS: '0' });
    box.live(msg('price.A', 1));
    expect(frames).toHaveLength(1);
  });

  it('over the soft mark conflates live updates per topic, says how many it skipped, and ends on the latest', () => {
    vi.useFakeTimers();
    const { box, sink, frames, stats } = outboxSetup();
    sink.bufferedAmount = 2000;
    for (let s = 1; s <= 10; s++) box.live(msg('price.A', s));
    box.live(msg('price.B', 1));
    vi.advanceTimersByTime(5);
    expect(frames).toHaveLength(0);
    for (let s = 11; s <= 20; s++) box.live(msg('price.A', s));
    sink.bufferedAmount = 500; // drained below the soft mark within the allowed time
    vi.advanceTimersByTime(50);
    expect(flatten(frames)).toEqual(['notice:CONFLATED', 'price.A#20', 'price.B#1']);
    expect(JSON.parse(frames[0]!)).toMatchObject({ skipped: 19 });
    expect(stats.conflated).toBe(19);
    expect(sink.closedWith).toBeUndefined();
  });

  it('never conflates a replay: a slow reader gets all of it, paged, in order', () => {
    vi.useFakeTimers();
    const { box, sink, frames, stats } = outboxSetup({ SLOW_MAX_MS: '100000' });
    sink.stalled = true;
    sink.bufferedAmount = 2000; // slow before the replay is even queued
    const replay = Array.from({ length: 3000 }, (_, i) => msg('device.d1.t', i + 1));
    box.replay(replay);
    box.live(msg('device.d1.t', 3001));
    box.live(msg('device.d1.t', 3002));
    for (let t = 0; t < 400 && sink.closedWith === undefined; t++) {
      vi.advanceTimersByTime(20);
      sink.read(1500); // a reader slower than the replay
    }
    vi.advanceTimersByTime(100);
    const got = flatten(frames).filter((x) => x.startsWith('device'));
    expect(got.slice(0, 3000)).toEqual(replay.map((m) => `${m.topic}#${m.seq}`));
    // The live updates behind it are live traffic: ends on the latest.
    expect(got.at(-1)).toBe('device.d1.t#3002');
    expect(stats.slowConsumerCloses).toBe(0);
    // Paged: no single frame carried the whole replay.
    expect(frames.length).toBeGreaterThan(3);
  });

  it('never lets a reply overtake updates queued before it, nor updates queued after it go first', () => {
    vi.useFakeTimers();
    const { box, client, sink, frames } = outboxSetup();
    sink.bufferedAmount = 2000;
    box.live(msg('price.A', 1));
    vi.advanceTimersByTime(5); // slow: held
    client.send({ type: 'pong', ts: 1 });
    box.live(msg('price.A', 2));
    client.send({ type: 'unsubscribed', id: 3, topic: 'price.A' });
    expect(frames).toHaveLength(0);
    sink.bufferedAmount = 0;
    vi.advanceTimersByTime(20);
    expect(flatten(frames)).toEqual(['price.A#1', 'pong', 'price.A#2', 'unsubscribed']);
  });

  it('a reply flushes the updates ahead of it at once when the client keeps up', () => {
    vi.useFakeTimers();
    const { box, client, frames } = outboxSetup();
    box.live(msg('price.A', 1));
    client.send({ type: 'pong' });
    expect(flatten(frames)).toEqual(['price.A#1', 'pong']);
  });

  it('closes with 4100 after staying over the soft mark too long', () => {
    vi.useFakeTimers();
    const { box, sink, stats } = outboxSetup();
    sink.bufferedAmount = 2000;
    box.live(msg('price.A', 1));
    for (let t = 0; t < 10 && sink.closedWith === undefined; t++) {
      box.live(msg('price.A', t + 2));
      vi.advanceTimersByTime(25);
    }
    expect(sink.closedWith).toBe(CloseCode.SLOW_CONSUMER);
    expect(stats.slowConsumerCloses).toBe(1);
    expect(box.pending).toBe(false);
  });

  it('closes at once over the hard mark, on the update path and for a control frame', () => {
    vi.useFakeTimers();
    const a = outboxSetup({ SLOW_MAX_MS: '100000' });
    a.sink.bufferedAmount = 70_000;
    a.box.live(msg('price.A', 1));
    vi.advanceTimersByTime(5);
    expect(a.sink.closedWith).toBe(CloseCode.SLOW_CONSUMER);
    const b = outboxSetup();
    b.sink.bufferedAmount = 70_000;
    b.client.send({ type: 'pong' });
    expect(b.sink.closedWith).toBe(CloseCode.SLOW_CONSUMER);
    expect(b.stats.slowConsumerCloses).toBe(1);
  });
});
