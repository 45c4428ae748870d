import type { Alarm } from '@pulse/protocol';
import { describe, expect, it } from 'vitest';
import { AlarmEvaluator } from './alarm-evaluator.js';
import { parseAlarmRules } from '../config/alarm-rules.js';

function rules(text: string) {
  const r = parseAlarmRules(text);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

/** A fake clock: readings are stamped with its time, which moves only when the test says. */
function setup(text: string) {
  const evaluator = new AlarmEvaluator(rules(text));
  let now = 1_700_000_000_000;
  const events: Alarm[] = [];
  return {
    evaluator,
    events,
    advance: (ms: number) => (now += ms),
    read(topic: string, value: number) {
      const changes = evaluator.evaluate(topic, value, now);
      if (changes) events.push(...changes);
      return changes;
    },
    states: () => events.map((e) => `${e.state}@${e.value}`),
  };
}

describe('AlarmEvaluator', () => {
  it('raises only after the breach has lasted the rule duration, then clears when back', () => {
    const t = setup('temperature>30:10s');
    const topic = 'device.d1.temperature';
    t.read(topic, 31);
    t.advance(5_000);
    t.read(topic, 32);
    expect(t.events).toEqual([]);
    t.advance(5_000);
    t.read(topic, 33); // 10 s after the breach began
    t.advance(1_000);
    t.read(topic, 34); // still raised: no second event
    t.advance(1_000);
    t.read(topic, 29);
    expect(t.events).toEqual([
      {
        deviceId: 'd1',
        metric: 'temperature',
        state: 'raised',
        value: 33,
        threshold: 30,
        rule: 'temperature>30:10s',
        ts: 1_700_000_010_000,
      },
      {
        deviceId: 'd1',
        metric: 'temperature',
        state: 'cleared',
        value: 29,
        threshold: 30,
        rule: 'temperature>30:10s',
        ts: 1_700_000_012_000,
      },
    ]);
  });

  it('restarts the duration when a reading falls back inside the threshold', () => {
    const t = setup('temperature>30:10s');
    const topic = 'device.d1.temperature';
    t.read(topic, 31);
    t.advance(8_000);
    t.read(topic, 30); // exactly at the threshold is not above it
    t.advance(1_000);
    t.read(topic, 31);
    t.advance(9_000);
    t.read(topic, 31);
    expect(t.events).toEqual([]);
    t.advance(1_000);
    t.read(topic, 31);
    expect(t.states()).toEqual(['raised@31']);
  });

  it('raises at once with a zero duration, below as well as above', () => {
    const t = setup('battery<15:0s');
    t.read('device.d1.battery', 16);
    t.read('device.d1.battery', 14.5);
    t.read('device.d1.battery', 14);
    t.read('device.d1.battery', 20);
    expect(t.states()).toEqual(['raised@14.5', 'cleared@20']);
  });

  it('keeps devices apart and ignores metrics without rules', () => {
    const t = setup('vibration>10:0s');
    expect(t.read('device.d1.temperature', 99)).toBeUndefined();
    t.read('device.d1.vibration', 11);
    t.read('device.d2.vibration', 9);
    t.read('device.d2.vibration', 12);
    t.read('device.d1.vibration', 1);
    expect(t.events.map((e) => `${e.deviceId}:${e.state}`)).toEqual([
      'd1:raised',
      'd2:raised',
      'd1:cleared',
    ]);
  });

  it('evaluates several rules of one metric independently', () => {
    const t = setup('temperature>30:0s;temperature<0:2s');
    const topic = 'device.d1.temperature';
    t.read(topic, 31);
    t.read(topic, -1);
    t.advance(2_000);
    t.read(topic, -2);
    t.read(topic, 5);
    expect(t.events.map((e) => `${e.rule} ${e.state}@${e.value}`)).toEqual([
      'temperature>30:0s raised@31',
      'temperature>30:0s cleared@-1',
      'temperature<0:2s raised@-2',
      'temperature<0:2s cleared@5',
    ]);
  });

  it('holds state only for topics that breach or are alarmed', () => {
    const t = setup('temperature>30:10s');
    for (let i = 0; i < 1000; i++) t.read(`device.d${i}.temperature`, 20);
    expect(t.evaluator.tracked).toBe(0);
    t.read('device.d1.temperature', 31);
    expect(t.evaluator.tracked).toBe(1);
    t.read('device.d1.temperature', 20);
    expect(t.evaluator.tracked).toBe(0);
  });
});
