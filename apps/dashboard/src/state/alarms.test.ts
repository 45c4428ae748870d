import type { Alarm } from '@pulse/protocol';
import { describe, expect, it } from 'vitest';
import { AlarmsState } from './alarms.svelte.js';
import { message } from './test-messages.js';

let seq = 0;
function alarm(deviceId: string, metric: string, state: Alarm['state'], value: number, ts: number) {
  return message<Alarm>(`alarm.${deviceId}.${metric}`, ++seq, ts, {
    deviceId,
    metric,
    state,
    value,
    threshold: 30,
    rule: `${metric}>30:10s`,
    ts,
  });
}

describe('AlarmsState', () => {
  it('lists raised alarms as active, newest first, and marks their devices', () => {
    const s = new AlarmsState();
    s.ingest(alarm('d1', 'temperature', 'raised', 31, 1000));
    s.ingest(alarm('d2', 'temperature', 'raised', 33, 2000));
    s.ingest(alarm('d1', 'vibration', 'raised', 12, 3000));
    expect(s.active).toEqual([]); // nothing before the frame
    expect(s.flush()).toBe(true);
    expect(s.active.map((a) => `${a.deviceId}.${a.metric}`)).toEqual([
      'd1.vibration',
      'd2.temperature',
      'd1.temperature',
    ]);
    expect(s.byDevice.get('d1')).toBe(2);
    expect(s.byDevice.get('d2')).toBe(1);
    expect(s.byMetric.has('d2.temperature')).toBe(true);
    expect(s.flush()).toBe(false);
  });

  it('moves a cleared alarm to the cleared list with raise and clear time and value', () => {
    const s = new AlarmsState();
    s.ingest(alarm('d1', 'temperature', 'raised', 31, 1000));
    s.ingest(alarm('d1', 'temperature', 'cleared', 29, 5000));
    s.flush();
    expect(s.active).toEqual([]);
    expect(s.byDevice.size).toBe(0);
    expect(s.cleared).toEqual([
      {
        key: 'd1.temperature.temperature>30:10s',
        deviceId: 'd1',
        metric: 'temperature',
        rule: 'temperature>30:10s',
        threshold: 30,
        raisedAt: 1000,
        raisedValue: 31,
        clearedAt: 5000,
        clearedValue: 29,
      },
    ]);
  });

  it('shows a clear whose raise is older than history, and keeps a re-raise as one alarm', () => {
    const s = new AlarmsState();
    s.ingest(alarm('d3', 'battery', 'cleared', 20, 100));
    s.ingest(alarm('d4', 'battery', 'raised', 10, 200));
    s.ingest(alarm('d4', 'battery', 'raised', 9, 900));
    s.flush();
    expect(s.cleared[0]).toMatchObject({ deviceId: 'd3', raisedAt: undefined, clearedValue: 20 });
    expect(s.active).toHaveLength(1);
    expect(s.active[0]).toMatchObject({ raisedAt: 200, raisedValue: 10 });
  });

  it('keeps a bounded list of cleared alarms, newest first', () => {
    const s = new AlarmsState({ clearedLimit: 3 });
    for (let i = 1; i <= 5; i++) {
      s.ingest(alarm(`d${i}`, 'battery', 'raised', 10, i * 10));
      s.ingest(alarm(`d${i}`, 'battery', 'cleared', 20, i * 10 + 5));
    }
    s.flush();
    expect(s.cleared.map((a) => a.deviceId)).toEqual(['d5', 'd4', 'd3']);
  });
});
