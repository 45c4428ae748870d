import { describe, expect, it } from 'vitest';
import type { ReadingBucket } from '@pulse/protocol';
import type { ReadingPoint } from './history-buckets.js';
import { FLUSH_MARGIN_MS, READINGS } from './history-series.js';
import { describeView, xRange, ZoomableHistory, type ZoomView } from './history-zoom.js';
import { LiveTails } from './live-tail.js';

const topic = 'device.d1.temperature';
const H = 3_600_000;
const NOW = 1_000 * H;
const WINDOW = 24 * H;

/** A fetch the test answers call by call, recording each URL and its abort signal. */
function scriptedFetch() {
  const calls: {
    url: URL;
    signal: AbortSignal | undefined;
    answer(body: unknown, status?: number): void;
  }[] = [];
  const fn = ((url: string, init?: RequestInit) =>
    new Promise<Response>((resolve) => {
      calls.push({
        url: new URL(url, 'http://console'),
        signal: init?.signal ?? undefined,
        answer: (body, status = 200) => resolve(Response.json(body, { status })),
      });
    })) as typeof fetch;
  return { fn, calls };
}

const param = (url: URL, name: string) => Number(url.searchParams.get(name));
const settle = () => new Promise((r) => setTimeout(r, 0));

/** A readings answer with a bucket every `step` over [from, to), each counting one reading. */
function readings(url: URL, step: number, source = '1m') {
  const from = param(url, 'from') - (param(url, 'from') % step);
  const to = param(url, 'to');
  const points: ReadingBucket[] = [];
  for (let t = from; t < to; t += step)
    points.push({ t, count: 1, min: 1, max: 1, mean: 1, last: 1 });
  return { topic, kind: 'readings', from, to, step, source, points };
}

function setup() {
  const tails = new LiveTails<ReadingPoint>(5000, () => NOW - H);
  const { tail } = tails.open(topic);
  const f = scriptedFetch();
  const views: ZoomView<ReadingBucket, ReadingPoint>[] = [];
  let now = NOW;
  const history = new ZoomableHistory(READINGS, {
    topic,
    windowMs: WINDOW,
    tail,
    token: 'tok',
    fetchFn: f.fn,
    now: () => now,
    onchange: (v) => views.push(v),
  });
  return {
    history,
    calls: f.calls,
    views,
    push: (p: ReadingPoint) => tails.push(topic, p),
    tick: (ms: number) => (now += ms),
    step: () => (history.view.load.status === 'ready' ? history.view.load.step : undefined),
  };
}

async function loadWindow(s: ReturnType<typeof setup>) {
  await settle();
  const first = s.calls[0]!;
  expect(first.url.searchParams.get('step')).toBe('auto');
  first.answer(readings(first.url, 2 * 60_000, 'raw'));
  await settle();
  expect(s.step()).toBe(2 * 60_000);
}

describe('ZoomableHistory', () => {
  it('zooms into the past: coarse steps until the finer ones arrive, reset without a fetch', async () => {
    const s = setup();
    await loadWindow(s);
    const coarse = s.history.view.load;
    s.history.zoom(NOW - 10 * H, NOW - 9 * H);
    await settle();
    const asked = s.calls[1]!;
    expect([param(asked.url, 'from'), param(asked.url, 'to')]).toEqual([NOW - 10 * H, NOW - 9 * H]);
    expect(asked.url.searchParams.get('step')).toBe('auto');
    // Meanwhile the window's steps stay on screen, within the zoomed span.
    expect(s.history.view.load).toBe(coarse);
    expect(s.history.view.detail.status).toBe('loading');
    expect(describeView(s.history.view, 'mean', (ms) => `${ms / 60_000} min`)).toBe(
      '2 min steps (mean), raw data · loading finer steps…',
    );
    expect(s.history.view.zoom).toEqual({ from: NOW - 10 * H, to: NOW - 9 * H, live: false });
    expect(xRange(s.history.view, WINDOW, NOW)).toEqual([NOW - 10 * H, NOW - 9 * H]);
    asked.answer(readings(asked.url, 5000, 'raw'));
    await settle();
    expect(s.history.view.detail.status).toBe('ready');
    expect(s.step()).toBe(5000);
    const fine = s.history.view.load;
    expect(fine.status === 'ready' && fine.series.buckets.length).toBe(720);

    s.history.reset();
    expect(s.history.view.load).toBe(coarse);
    expect(s.history.view.zoom).toBeUndefined();
    await settle();
    expect(s.calls).toHaveLength(2);
    s.history.dispose();
  });

  it('cancels a superseded zoom fetch, and its late answer changes nothing', async () => {
    const s = setup();
    await loadWindow(s);
    s.history.zoom(NOW - 10 * H, NOW - 8 * H);
    s.history.zoom(NOW - 5 * H, NOW - 4 * H);
    await settle();
    const [first, second] = [s.calls[1]!, s.calls[2]!];
    expect(first.signal?.aborted).toBe(true);
    expect(second.signal?.aborted).toBe(false);
    const seen = s.views.length;
    first.answer(readings(first.url, 10_000, 'raw'));
    await settle();
    expect(s.views).toHaveLength(seen);
    expect(s.step()).toBe(2 * 60_000);
    second.answer(readings(second.url, 5000, 'raw'));
    await settle();
    expect(s.step()).toBe(5000);
    expect(s.history.view.zoom?.from).toBe(NOW - 5 * H);
    s.history.dispose();
  });

  it('keeps the finer steps on screen while a zoom inside them loads', async () => {
    const s = setup();
    await loadWindow(s);
    s.history.zoom(NOW - 10 * H, NOW - 8 * H);
    await settle();
    s.calls[1]!.answer(readings(s.calls[1]!.url, 10_000, 'raw'));
    await settle();
    const fine = s.history.view.load;
    s.history.zoom(NOW - 9 * H, NOW - 8.5 * H);
    expect(s.history.view.load).toBe(fine);
    // Outside them: back to the window's steps until its own arrive.
    s.history.zoom(NOW - 20 * H, NOW - 19 * H);
    expect(s.history.view.load).not.toBe(fine);
    expect(s.step()).toBe(2 * 60_000);
    s.history.dispose();
  });

  it('a zoom to the right edge stays live: joined to the tail, growing with the clock', async () => {
    const s = setup();
    await loadWindow(s);
    s.tick(500);
    // The drag ended at the plot's right edge, the clock of the last draw.
    s.history.zoom(NOW - H / 2, NOW);
    expect(s.history.view.zoom).toEqual({ from: NOW - H / 2, to: NOW + 500, live: true });
    await settle();
    const asked = s.calls[1]!;
    expect(param(asked.url, 'to')).toBe(NOW + 500 - FLUSH_MARGIN_MS);
    asked.answer(readings(asked.url, 2000, 'raw'));
    await settle();
    expect(s.step()).toBe(2000);
    const load = s.history.view.load;
    if (load.status !== 'ready') throw new Error('not ready');
    const before = s.views.length;
    s.push({ t: NOW + 1000, seq: 1, epoch: 'e', value: 5 });
    expect(load.series.tail.map((p) => p.seq)).toEqual([1]);
    // A redraw for the zoom's series and one for the window's (which grows on underneath).
    expect(s.views.length).toBe(before + 2);
    expect(s.views.at(-1)).toBe(s.history.view);
    expect(xRange(s.history.view, WINDOW, NOW + 9000)).toEqual([NOW - H / 2, NOW + 9000]);
    // A zoom inside a past (frozen) zoom is never live, even at its right edge.
    s.history.zoom(NOW - 3 * H, NOW - 2 * H);
    s.history.zoom(NOW - 2.5 * H, NOW - 2 * H);
    expect(s.history.view.zoom?.live).toBe(false);
    s.history.dispose();
  });

  it('keeps the coarse steps and says why when the finer ones are refused', async () => {
    const s = setup();
    await loadWindow(s);
    const coarse = s.history.view.load;
    s.history.zoom(NOW - 10 * H, NOW - 9 * H);
    await settle();
    s.calls[1]!.answer({ code: 'UNAVAILABLE', message: 'store down' }, 503);
    await settle();
    const detail = s.history.view.detail;
    expect(detail.status === 'problem' && detail.problem.message).toBe(
      'History unavailable (UNAVAILABLE: store down)',
    );
    expect(s.history.view.load).toBe(coarse);
    expect(describeView(s.history.view, 'mean', (ms) => `${ms / 60_000} min`)).toBe(
      '2 min steps (mean), raw data · no finer steps: History unavailable (UNAVAILABLE: store down)',
    );
    s.history.dispose();
  });
});
