import { describe, expect, it } from 'vitest';
import type { TickBucket } from '@pulse/protocol';
import type { ReadingPoint, TickPoint } from './history-buckets.js';
import {
  FLUSH_MARGIN_MS,
  loadHistory,
  loadReadingHistory,
  TICKS,
  type HistoryLoad,
} from './history-series.js';
import { LiveTails } from './live-tail.js';

const topic = 'device.d1.temperature';
const NOW = 10_000_000;
const point = (t: number, seq: number): ReadingPoint => ({ t, seq, epoch: 'e', value: seq });

/** A fetch whose answer the test releases, after pushing live messages in between. */
function deferredFetch() {
  let release!: (r: Response) => void;
  const urls: string[] = [];
  const fn = ((url: string) => {
    urls.push(url);
    return new Promise<Response>((r) => (release = r));
  }) as typeof fetch;
  return { fn, urls, answer: (body: unknown) => release(Response.json(body)) };
}

const bucket = (t: number, count: number) => ({ t, count, min: 1, max: 2, mean: 1.5, last: 2 });

describe('loadReadingHistory', () => {
  it('keeps live messages that arrive while the request is in flight, then grows live', async () => {
    const tails = new LiveTails<ReadingPoint>(5000, () => 0);
    const { tail, close } = tails.open(topic);
    tails.push(topic, point(NOW - 5000, 10)); // backfill recorded before the window opened
    const f = deferredFetch();
    const states: HistoryLoad[] = [];
    const cancel = loadReadingHistory({
      topic,
      windowMs: 3_600_000,
      now: NOW,
      tail,
      token: 'tok',
      fetchFn: f.fn,
      onchange: (s) => states.push(s),
    });
    expect(states.at(-1)?.status).toBe('loading');
    await new Promise((r) => setTimeout(r, 0));
    expect(f.urls[0]).toContain(`from=${NOW - 3_600_000}&to=${NOW - FLUSH_MARGIN_MS}`);
    tails.push(topic, point(NOW - 100, 11)); // in flight
    tails.push(topic, point(NOW + 900, 12));
    f.answer({
      topic,
      kind: 'readings',
      from: NOW - 3_600_000,
      to: NOW - FLUSH_MARGIN_MS,
      step: 1000,
      source: 'raw',
      points: [bucket(NOW - 7000, 3), bucket(NOW - 6000, 2), bucket(NOW - 5000, 1)],
    });
    await new Promise((r) => setTimeout(r, 0));
    const ready = states.at(-1);
    if (ready?.status !== 'ready') throw new Error(`not ready: ${JSON.stringify(ready)}`);
    // The first live point (NOW − 5000) is in the step [NOW − 5000, NOW − 4000): history ends
    // after that step, live takes over.
    expect(ready.series.buckets.map((b) => b.t)).toEqual([NOW - 7000, NOW - 6000, NOW - 5000]);
    expect(ready.series.tail.map((p) => p.seq)).toEqual([11, 12]);
    tails.push(topic, point(NOW + 1900, 13));
    tails.push(topic, point(NOW + 1900, 13)); // replayed: once
    expect(ready.series.tail.map((p) => p.seq)).toEqual([11, 12, 13]);
    cancel();
    tails.push(topic, point(NOW + 2900, 14));
    expect(ready.series.tail).toHaveLength(3);
    close();
  });

  it('reports a refused window and an answer of the wrong kind', async () => {
    const tails = new LiveTails<ReadingPoint>(5000, () => 0);
    const { tail } = tails.open(topic);
    for (const [body, status, kind] of [
      [{ type: 'error', code: 'NOT_FOUND', message: 'no route' }, 404, 'unavailable'],
      [
        { topic, kind: 'ticks', from: 0, to: 1, step: 1, source: 'raw', points: [] },
        200,
        'invalid',
      ],
    ] as const) {
      const states: HistoryLoad[] = [];
      loadReadingHistory({
        topic,
        windowMs: 60_000,
        now: NOW,
        tail,
        token: 't',
        fetchFn: (() => Promise.resolve(Response.json(body, { status }))) as typeof fetch,
        onchange: (s) => states.push(s),
      });
      await new Promise((r) => setTimeout(r, 0));
      expect(states.at(-1)).toMatchObject({ status: 'problem', problem: { kind } });
    }
  });
});

describe('loadReadingHistory on a rollup answer', () => {
  it('reads the rest of the whole last step raw and joins there, each reading once', async () => {
    const tails = new LiveTails<ReadingPoint>(5000, () => 0);
    const { tail } = tails.open(topic);
    const to = NOW - FLUSH_MARGIN_MS;
    const step = 60_000;
    const last = to - (to % step); // the rollup's last, whole step starts here
    tails.push(topic, point(to - 500, 41)); // live since shortly before `to`
    const urls: string[] = [];
    const answers: unknown[] = [
      {
        topic,
        kind: 'readings',
        from: last - step,
        to,
        step,
        source: '1m',
        // The last step already counts 41 and 42 (whole): it must not be drawn.
        points: [bucket(last - step, 5), bucket(last, 3)],
      },
      {
        topic,
        kind: 'raw',
        step: 'raw',
        source: 'raw',
        from: last,
        to,
        truncated: false,
        points: [40, 41].map((seq) => ({
          t: seq === 40 ? last + 10 : to - 500,
          serverTime: NOW,
          seq,
          payload: { value: seq, unit: '°C', ts: 0 },
        })),
      },
    ];
    const fetchFn = ((url: string) => {
      urls.push(url);
      return Promise.resolve(Response.json(answers.shift()));
    }) as typeof fetch;
    const states: HistoryLoad[] = [];
    loadReadingHistory({
      topic,
      windowMs: 2 * step,
      now: NOW,
      tail,
      token: 't',
      fetchFn,
      onchange: (s) => states.push(s),
    });
    await new Promise((r) => setTimeout(r, 10));
    tails.push(topic, point(to + 100, 42));
    const ready = states.at(-1);
    if (ready?.status !== 'ready') throw new Error(`not ready: ${JSON.stringify(ready)}`);
    expect(urls[1]).toContain(`from=${last}&to=${to}&step=raw`);
    expect(ready.series.buckets.map((b) => b.t)).toEqual([last - step]);
    expect(ready.series.cut).toBe(last);
    expect(ready.series.tail.map((p) => p.seq)).toEqual([40, 41, 42]);
    expect(ready.series.seamless).toBe(true);
  });
});

describe('loadHistory timing', () => {
  it('waits until the tail has recorded for the flush margin before asking', async () => {
    const tails = new LiveTails<ReadingPoint>(5000, () => NOW - 500);
    const { tail } = tails.open(topic);
    const urls: string[] = [];
    const fetchFn = ((url: string) => {
      urls.push(url);
      return new Promise<Response>(() => {});
    }) as typeof fetch;
    loadReadingHistory({
      topic,
      windowMs: 60_000,
      now: NOW,
      tail,
      token: 't',
      fetchFn,
      onchange: () => {},
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(urls).toEqual([]);
    await new Promise((r) => setTimeout(r, 1600));
    // `to` is where the tail began: [NOW − 500 + 2000 − 2000).
    expect(urls[0]).toContain(`to=${NOW - 500}&`);
  });
});

describe('loadHistory of ticks', () => {
  it('joins stored OHLC steps, a raw read of the last step and live ticks, each tick once', async () => {
    const tails = new LiveTails<TickPoint>(5000, () => 0);
    const priceTopic = 'price.ACME';
    const { tail } = tails.open(priceTopic);
    const to = NOW - FLUSH_MARGIN_MS;
    const step = 60_000;
    const last = to - (to % step);
    const tick = (t: number, seq: number, price: number): TickPoint => ({
      t,
      seq,
      epoch: 'e',
      last: price,
      volume: 1,
    });
    tails.push(priceTopic, tick(to - 100, 8, 101));
    const answers: unknown[] = [
      {
        topic: priceTopic,
        kind: 'ticks',
        from: last - step,
        to,
        step,
        source: '1m',
        points: [
          { t: last - step, count: 5, open: 99, high: 100, low: 98, close: 100, volume: 5 },
          { t: last, count: 2, open: 100, high: 101, low: 100, close: 101, volume: 2 },
        ],
      },
      {
        topic: priceTopic,
        kind: 'raw',
        step: 'raw',
        source: 'raw',
        from: last,
        to,
        truncated: false,
        points: [
          [7, last + 5, 100],
          [8, to - 100, 101],
        ].map(([seq, t, price]) => ({
          t: t!,
          serverTime: NOW,
          seq: seq!,
          payload: { bid: price! - 1, ask: price! + 1, last: price!, volume: 1, ts: t! },
        })),
      },
    ];
    const fetchFn = (() => Promise.resolve(Response.json(answers.shift()))) as typeof fetch;
    const states: HistoryLoad<TickBucket, TickPoint>[] = [];
    loadHistory(TICKS, {
      topic: priceTopic,
      windowMs: 2 * step,
      now: NOW,
      tail,
      token: 't',
      fetchFn,
      onchange: (s) => states.push(s),
    });
    await new Promise((r) => setTimeout(r, 10));
    tails.push(priceTopic, tick(to + 50, 9, 103));
    const ready = states.at(-1);
    if (ready?.status !== 'ready') throw new Error(`not ready: ${JSON.stringify(ready)}`);
    expect(ready.series.buckets.map((b) => [b.t, b.count])).toEqual([[last - step, 5]]);
    expect(ready.series.tail.map((p) => [p.seq, p.last])).toEqual([
      [7, 100],
      [8, 101],
      [9, 103],
    ]);
  });
});
