import { describe, expect, it } from 'vitest';
import { LiveTails } from './live-tail.js';

const p = (seq: number) => ({ t: seq * 10, epoch: 'e', seq });

describe('LiveTails', () => {
  it('records only open topics, shared by reference count', () => {
    const tails = new LiveTails<ReturnType<typeof p>>(100);
    tails.push('device.a.temperature', p(1));
    const a = tails.open('device.a.temperature');
    const b = tails.open('device.a.temperature');
    expect(b.tail).toBe(a.tail);
    tails.push('device.a.temperature', p(2));
    tails.push('device.b.temperature', p(3));
    expect(a.tail.points.map((x) => x.seq)).toEqual([2]);
    a.close();
    a.close(); // twice is once
    expect(tails.size).toBe(1);
    b.close();
    expect(tails.size).toBe(0);
  });

  it('hands later messages to listeners and stays bounded, keeping the newest', () => {
    const tails = new LiveTails<ReturnType<typeof p>>(10);
    const { tail } = tails.open('t');
    const heard: number[] = [];
    const off = tail.listen((x) => heard.push(x.seq));
    for (let i = 1; i <= 25; i++) tails.push('t', p(i));
    off();
    tails.push('t', p(26));
    expect(heard).toHaveLength(25);
    expect(tail.points.length).toBeLessThanOrEqual(10);
    expect(tail.points[tail.points.length - 1]!.seq).toBe(26);
    const seqs = tail.points.map((x) => x.seq);
    expect(seqs).toEqual(seqs.slice().sort((x, y) => x - y));
  });
});
