import { describe, expect, it } from 'vitest';
import type { BusMessage } from './bus-message.js';
import { MemoryBus } from './memory-bus.js';
import { TopicLog } from './topic-log.js';

const none = new Map();

describe('TopicLog', () => {
  it('numbers messages gaplessly from 1 and keeps only the last `capacity`', () => {
    const log = new TopicLog('price.X', 'e', 3);
    for (let i = 1; i <= 5; i++) log.append(i, i);
    expect(log.lastSeq).toBe(5);
    expect(log.oldestSeq).toBe(3);
    expect(log.last(10).map((m) => m.seq)).toEqual([3, 4, 5]);
    expect(log.after(2)?.map((m) => m.seq)).toEqual([3, 4, 5]);
    expect(log.after(4)?.map((m) => m.seq)).toEqual([5]);
    expect(log.after(5)).toEqual([]);
    expect(log.after(1)).toBeUndefined(); // seq 2 is gone
    expect(log.after(6)).toBeUndefined(); // from the future
  });
});

describe('MemoryBus', () => {
  it('delivers each publish once to the listener, in order', async () => {
    const bus = new MemoryBus(10);
    const seen: BusMessage[] = [];
    bus.onMessage((m) => seen.push(m));
    await bus.publish('price.A', 1);
    await bus.publish('price.B', 2);
    await bus.publish('price.A', 3);
    expect(seen.map((m) => `${m.topic}#${m.seq}`)).toEqual(['price.A#1', 'price.B#1', 'price.A#2']);
    expect(new Set(seen.map((m) => m.epoch))).toEqual(new Set([bus.epoch]));
  });

  it('a listener that throws does not undo the answer: the message is stored and acknowledged', async () => {
    const bus = new MemoryBus(10);
    bus.onMessage((m) => {
      if (m.seq === 2) throw new Error('fan-out bug');
    });
    expect(bus.store('price.A', 1, undefined)).toMatchObject({ seq: 1 });
    expect(bus.store('price.A', 2, 'k')).toMatchObject({ seq: 2 });
    expect(bus.listenerErrors).toBe(1);
    // The retry with the same key is told it was stored, and history holds it for a resume.
    expect(bus.store('price.A', 2, 'k')).toEqual({ repeat: true, topic: 'price.A', seq: 2 });
    const r = await bus.recover('price.A', {
      positions: new Map([['price.A', { epoch: bus.epoch, seq: 1 }]]),
      history: 10,
    });
    expect(r.messages.map((m) => m.seq)).toEqual([2]);
  });

  it('recovers exact topics from a position, or says not recovered and gives the latest', async () => {
    const bus = new MemoryBus(4);
    for (let i = 1; i <= 6; i++) await bus.publish('price.A', i);
    const ok = await bus.recover('price.A', {
      positions: new Map([['price.A', { seq: 3, epoch: bus.epoch }]]),
      history: 1,
    });
    expect(ok.recovered).toBe(true);
    expect(ok.messages.map((m) => m.seq)).toEqual([4, 5, 6]);
    expect(ok.state).toEqual({ epoch: bus.epoch, seq: 6 });
    const lost = await bus.recover('price.A', {
      positions: new Map([['price.A', { seq: 1, epoch: bus.epoch }]]),
      history: 1,
    });
    expect(lost.recovered).toBe(false);
    expect(lost.messages.map((m) => m.seq)).toEqual([6]);
    const fresh = await bus.recover('price.A', { positions: none, history: 2 });
    expect(fresh.recovered).toBeUndefined();
    expect(fresh.messages.map((m) => m.seq)).toEqual([5, 6]);
  });

  it('recovers a pattern per topic and marks positions from another epoch as lost', async () => {
    const bus = new MemoryBus(100);
    await bus.publish('device.a.t', 1);
    await bus.publish('device.b.t', 1);
    await bus.publish('device.a.h', 1);
    const r = await bus.recover('device.*.t', {
      positions: new Map([['device.gone.t', { seq: 5, epoch: 'old' }]]),
      history: 1,
    });
    expect(r.recovered).toBe(false);
    expect(r.messages.map((m) => m.topic).sort()).toEqual(['device.a.t', 'device.b.t']);
  });

  it('encodes a message once per codec', async () => {
    const { jsonCodec, msgpackCodec } = await import('@pulse/protocol');
    const bus = new MemoryBus(10);
    const m = await bus.publish('price.A', { last: 1 });
    expect(m.frame(jsonCodec)).toBe(m.frame(jsonCodec));
    expect(m.frame(msgpackCodec)).toBe(m.frame(msgpackCodec));
    expect(JSON.parse(m.frame(jsonCodec).toString())).toEqual({
      type: 'message',
      topic: 'price.A',
      seq: 1,
      epoch: bus.epoch,
      ts: m.ts,
      payload: { last: 1 },
    });
  });
});
