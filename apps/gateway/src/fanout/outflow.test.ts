import { CloseCode, jsonCodec } from '@pulse/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BusMessage } from '../bus/bus-message.js';
import { loadConfig } from '../config/load-config.js';
import { TokenBucket } from '../ingest/token-bucket.js';
import { Stats } from '../metrics/stats.js';
import { Connection } from './connection.js';
import { Outflow } from './outflow.js';

/** A socket whose send buffer the test sets, recording what was sent and how it was closed. */
function fakeSocket() {
  const sent: string[] = [];
  const ws = {
    readyState: 1,
    bufferedAmount: 0,
    closedWith: undefined as number | undefined,
    send: (data: Buffer) => sent.push(data.toString()),
    close(code: number) {
      this.closedWith = code;
      this.readyState = 2;
    },
    terminate() {},
    pause() {},
    resume() {},
  };
  return { ws, sent };
}

function setup(env: Record<string, string> = {}) {
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: 'x'.repeat(32),
    SLOW_SOFT_BYTES: '1024',
    SLOW_HARD_BYTES: '5120',
    SLOW_MAX_MS: '100',
    BATCH_WINDOW_MS: '5',
    ...env,
  });
  const stats = new Stats();
  const outflow = new Outflow(config, stats);
  const { ws, sent } = fakeSocket();
  const principal = { subject: 'op', role: 'operator' as const };
  const conn = new Connection(
    'c1',
    ws,
    jsonCodec,
    principal,
    '127.0.0.1',
    outflow,
    new TokenBucket({ rate: 1, burst: 1 }),
  );
  return { outflow, conn, ws, sent, stats };
}
const m = (topic: string, seq: number) => new BusMessage(topic, seq, 'e', 0, { v: seq });

describe('Outflow', () => {
  afterEach(() => vi.useRealTimers());

  it('sends updates of one window as one batch frame, a single update as itself', () => {
    vi.useFakeTimers();
    const { conn, sent, stats } = setup();
    conn.enqueue(m('price.A', 1));
    conn.enqueue(m('price.B', 1));
    conn.enqueue(m('price.A', 2));
    expect(sent).toHaveLength(0);
    vi.advanceTimersByTime(5);
    expect(sent).toHaveLength(1);
    expect(
      JSON.parse(sent[0]!).messages.map(
        (x: { topic: string; seq: number }) => `${x.topic}#${x.seq}`,
      ),
    ).toEqual(['price.A#1', 'price.B#1', 'price.A#2']);
    conn.enqueue(m('price.A', 3));
    vi.advanceTimersByTime(5);
    expect(JSON.parse(sent[1]!)).toMatchObject({ type: 'message', seq: 3 });
    expect(stats).toMatchObject({ delivered: 4, frames: 2, batches: 1 });
  });

  it('with a zero window sends at once', () => {
    const { conn, sent } = setup({ BATCH_WINDOW_MS: '0' });
    conn.enqueue(m('price.A', 1));
    expect(sent).toHaveLength(1);
  });

  it('over the soft mark conflates per topic, and catches up with the latest when drained', () => {
    vi.useFakeTimers();
    const { conn, ws, sent, stats } = setup();
    ws.bufferedAmount = 2000;
    for (let s = 1; s <= 10; s++) conn.enqueue(m('price.A', s));
    conn.enqueue(m('price.B', 1));
    vi.advanceTimersByTime(5);
    expect(sent).toHaveLength(0);
    for (let s = 11; s <= 20; s++) conn.enqueue(m('price.A', s));
    ws.bufferedAmount = 500; // drained below the soft mark within the allowed time
    vi.advanceTimersByTime(50);
    expect(sent).toHaveLength(1);
    const batch = JSON.parse(sent[0]!).messages.map(
      (x: { topic: string; seq: number }) => `${x.topic}#${x.seq}`,
    );
    expect(batch.sort()).toEqual(['price.A#20', 'price.B#1']);
    expect(stats.conflated).toBe(19);
    expect(ws.closedWith).toBeUndefined();
  });

  it('closes with 4100 after staying over the soft mark too long', () => {
    vi.useFakeTimers();
    const { conn, ws, stats } = setup();
    ws.bufferedAmount = 2000;
    conn.enqueue(m('price.A', 1));
    for (let t = 0; t < 10 && ws.closedWith === undefined; t++) {
      conn.enqueue(m('price.A', t + 2));
      vi.advanceTimersByTime(25);
    }
    expect(ws.closedWith).toBe(CloseCode.SLOW_CONSUMER);
    expect(stats.slowConsumerCloses).toBe(1);
    expect(conn.hasPending()).toBe(false);
  });

  it('closes at once over the hard mark, also when a control frame is sent', () => {
    const { conn, ws, stats } = setup();
    ws.bufferedAmount = 6000;
    conn.send({ type: 'pong' });
    expect(ws.closedWith).toBe(CloseCode.SLOW_CONSUMER);
    expect(stats.slowConsumerCloses).toBe(1);
  });
});
