import { describe, expect, it } from 'vitest';
import { check } from './checker.js';
import type { ClientEvent } from './events.js';
import { Truth } from './truth.js';

const T = 'device.d1.hum';
const msg = (seq: number, epoch = 'e1'): ClientEvent => ({
  k: 'msg',
  topic: T,
  epoch,
  seq,
  value: 0,
});
const sub = (bus: number, replay: number, resumeFrom?: number): ClientEvent => ({
  k: 'subscribe',
  sub: T,
  history: replay,
  topics: [
    {
      topic: T,
      bus: { epoch: 'e1', seq: bus },
      replay,
      ...(resumeFrom === undefined ? {} : { resumeFrom: { epoch: 'e1', seq: resumeFrom } }),
    },
  ],
});
const subscribed = (recovered?: boolean): ClientEvent => ({
  k: 'subscribed',
  sub: T,
  epoch: 'e1',
  seq: 0,
  ...(recovered === undefined ? {} : { recovered }),
});
const conflated: ClientEvent = { k: 'conflated', skipped: 3 };

function violations(events: ClientEvent[], end = 10, historySize = 100): string[] {
  const truth = new Truth();
  truth.saw(T, { epoch: 'e1', seq: end });
  const finals = new Map([[T, { epoch: 'e1', seq: end }]]);
  return check(0, events, truth, historySize, finals).map((v) => v.what);
}

/** The checker must not be vacuous: each broken promise below is caught, each kept one passes. */
describe('delivery checker', () => {
  it('passes a replay of the last h, then every live seq', () => {
    expect(
      violations([sub(5, 2), subscribed(), ...[4, 5, 6, 7, 8, 9, 10].map((s) => msg(s))]),
    ).toEqual([]);
  });

  it('catches a short replay, a duplicate and a silent live gap', () => {
    expect(violations([sub(5, 2), subscribed(), msg(5), msg(6), msg(10)])).toEqual([
      'seqs 4..4 of e1 missing without a signal',
      'seqs 7..9 of e1 missing without a signal',
    ]);
    expect(violations([sub(5, 0), subscribed(), msg(6), msg(6), msg(7)], 7)).toEqual([
      'e1#6 after e1#6: duplicate or out of order',
    ]);
  });

  it('lets CONFLATED excuse live skips but not a replay', () => {
    expect(violations([sub(5, 0), subscribed(), msg(6), conflated, msg(10)])).toEqual([]);
    expect(
      violations([sub(5, 3), subscribed(), msg(3), conflated, msg(5), msg(6), conflated, msg(10)]),
    ).toEqual([
      'seqs 4..4 of e1 missing without a signal (only CONFLATED, which cannot excuse a replay)',
    ]);
  });

  it('holds a resume to its recovered flag', () => {
    // Missed 4..10, all held: recovered must be true and all of them must follow.
    expect(violations([sub(10, 0, 3), subscribed(true), msg(4), msg(10)])).toEqual([
      'seqs 5..9 of e1 missing without a signal',
    ]);
    expect(violations([sub(10, 0, 3), subscribed(false), msg(10)])).toEqual([
      'subscribed device.d1.hum said recovered=false, but the model says true',
      'seqs 4..9 of e1 missing without a signal',
    ]);
    // History holds 5: recovered false, then the latest value first.
    expect(violations([sub(10, 0, 3), subscribed(false), msg(10)], 10, 5)).toEqual([]);
    expect(violations([sub(10, 0, 3), subscribed(false), msg(9), msg(10)], 10, 5)).toEqual([
      'after recovered=false the latest e1#10 must come first, got e1#9',
    ]);
  });

  it('needs a signal for the lost tail of an old epoch', () => {
    const events = [sub(0, 0), subscribed(), msg(1), msg(2)];
    const notice: ClientEvent = { k: 'epochChanged', topic: T, epoch: 'e1', seq: 2 };
    const truth = new Truth();
    truth.saw(T, { epoch: 'e1', seq: 4 });
    const finals = new Map([[T, { epoch: 'e2', seq: 1 }]]);
    expect(check(0, [...events, notice, msg(1, 'e2')], truth, 100, finals)).toEqual([]);
    expect(check(0, [...events, msg(1, 'e2')], truth, 100, finals).map((v) => v.what)).toEqual([
      'epoch changed e1#2 → e2#1 without a signal: old epoch held up to #4',
    ]);
    // Nothing of the old epoch was lost: the new epoch may simply start.
    const whole = new Truth();
    whole.saw(T, { epoch: 'e1', seq: 2 });
    expect(check(0, [...events, msg(1, 'e2')], whole, 100, finals)).toEqual([]);
  });

  it('reports a client that never caught up', () => {
    expect(violations([sub(5, 0), subscribed(), msg(6)], 7)).toEqual([
      'never caught up: last got e1#6, the topic ends at e1#7',
    ]);
  });
});
