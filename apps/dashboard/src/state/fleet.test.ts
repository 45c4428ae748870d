import { describe, expect, it } from 'vitest';
import { FleetState } from './fleet.svelte.js';
import { presence, reading } from './test-messages.js';

describe('FleetState', () => {
  it('lists a device as soon as its first message is flushed, in natural id order', () => {
    const fleet = new FleetState();
    fleet.ingestReading(reading('d10', 'temperature', 1, 1000, 21.5));
    fleet.ingestPresence(presence('d2', 1, true, 900));
    expect(fleet.rows).toEqual([]); // nothing published before the frame
    expect(fleet.flush()).toBe(true);
    expect(fleet.rows.map((r) => r.id)).toEqual(['d2', 'd10']);
    expect(fleet.rows[1]).toMatchObject({ id: 'd10', online: undefined, lastSeen: 1000 });
    expect(fleet.rows[1]!.readings.temperature?.value).toBe(21.5);
  });

  it('keeps the latest value of each metric and the latest last-seen', () => {
    const fleet = new FleetState();
    fleet.ingestReading(reading('d1', 'temperature', 1, 1000, 20));
    fleet.ingestReading(reading('d1', 'humidity', 1, 1100, 45, '%'));
    fleet.ingestReading(reading('d1', 'temperature', 2, 1200, 20.5));
    fleet.ingestPresence(presence('d1', 1, true, 500));
    fleet.flush();
    const [d1] = fleet.rows;
    expect(d1?.online).toBe(true);
    expect(d1?.lastSeen).toBe(1200);
    expect(d1?.readings.temperature?.value).toBe(20.5);
    expect(d1?.readings.humidity).toMatchObject({ value: 45, unit: '%' });
    expect(d1?.readings.battery).toBeUndefined();
  });

  it('follows presence: offline, then online again', () => {
    const fleet = new FleetState();
    fleet.ingestPresence(presence('d1', 1, true, 1000));
    fleet.ingestPresence(presence('d1', 2, false, 5000));
    fleet.flush();
    expect(fleet.rows[0]).toMatchObject({ online: false, lastSeen: 5000 });
    expect(fleet.onlineCount).toBe(0);
    fleet.ingestPresence(presence('d1', 3, true, 9000));
    fleet.ingestPresence(presence('d2', 1, true, 9000));
    fleet.flush();
    expect(fleet.onlineCount).toBe(2);
  });

  it('shows how each device is connected, keeping it when a presence does not say', () => {
    const fleet = new FleetState();
    fleet.ingestPresence(presence('d1', 1, true, 1000, 'mqtt'));
    fleet.ingestPresence(presence('d2', 1, true, 1000, 'ws'));
    fleet.ingestPresence(presence('d3', 1, true, 1000));
    fleet.flush();
    expect(fleet.rows.map((r) => r.transport)).toEqual(['mqtt', 'ws', undefined]);
    fleet.ingestPresence(presence('d1', 2, false, 2000)); // stored by an older gateway
    fleet.ingestPresence(presence('d2', 2, true, 2000, 'mqtt')); // reconnected over MQTT
    fleet.flush();
    expect(fleet.rows.map((r) => r.transport)).toEqual(['mqtt', 'mqtt', undefined]);
  });

  it('publishes once per flush and keeps unchanged rows identical', () => {
    const changes: number[] = [];
    const fleet = new FleetState({ onChange: () => changes.push(1) });
    fleet.ingestReading(reading('d1', 'battery', 1, 1000, 90, '%'));
    fleet.ingestReading(reading('d2', 'battery', 1, 1000, 80, '%'));
    fleet.flush();
    const [d1, d2] = fleet.rows;
    const rowsBefore = fleet.rows;
    expect(fleet.flush()).toBe(false);
    expect(fleet.rows).toBe(rowsBefore);
    fleet.ingestReading(reading('d2', 'battery', 2, 2000, 79, '%'));
    fleet.flush();
    expect(fleet.rows[0]).toBe(d1);
    expect(fleet.rows[1]).not.toBe(d2);
    expect(changes).toHaveLength(3);
  });

  it('records a chart series per device metric', () => {
    const fleet = new FleetState({ capacity: 3 });
    for (let i = 1; i <= 5; i++)
      fleet.ingestReading(reading('d1', 'vibration', i, i * 100, i / 10, 'g'));
    const ring = fleet.series.get('device.d1.vibration');
    expect(ring.toPoints()).toEqual([
      { x: 300, y: 0.3 },
      { x: 400, y: 0.4 },
      { x: 500, y: 0.5 },
    ]);
    expect(fleet.series.has('device.d1.temperature')).toBe(false);
  });

  it('notifies chart listeners of their own series only', () => {
    const fleet = new FleetState();
    const heard: string[] = [];
    const off = fleet.series.listen('device.d1.temperature', () => heard.push('d1'));
    fleet.ingestReading(reading('d1', 'temperature', 1, 100, 20));
    fleet.ingestReading(reading('d2', 'temperature', 1, 100, 20));
    off();
    fleet.ingestReading(reading('d1', 'temperature', 2, 200, 21));
    expect(heard).toEqual(['d1']);
  });
});
