import { describe, expect, it } from 'vitest';
import type { DeviceRow } from '../state/fleet.svelte.js';
import { queryDevices, type FleetQuery } from './fleet-query.js';

const row = (id: string, online: boolean | undefined): DeviceRow => ({
  id,
  online,
  lastSeen: 0,
  transport: undefined,
  readings: {},
});
const rows = [row('d10', true), row('d2', false), row('d1', true), row('x7', undefined)];
const alarms = new Map([
  ['d10', 2],
  ['x7', 1],
]);
const ids = (q: Partial<FleetQuery>) =>
  queryDevices(rows, { text: '', status: 'all', sort: 'name', ...q }, alarms).map((r) => r.id);

describe('queryDevices', () => {
  it('sorts by name naturally, by status with offline first, by alarms with most first', () => {
    expect(ids({})).toEqual(['d1', 'd2', 'd10', 'x7']);
    expect(ids({ sort: 'status' })).toEqual(['d2', 'x7', 'd1', 'd10']);
    expect(ids({ sort: 'alarm' })).toEqual(['d10', 'x7', 'd1', 'd2']);
  });

  it('filters by part of the name and by status', () => {
    expect(ids({ text: ' D1' })).toEqual(['d1', 'd10']);
    expect(ids({ status: 'online' })).toEqual(['d1', 'd10']);
    expect(ids({ status: 'offline' })).toEqual(['d2']);
    expect(ids({ status: 'alarm', sort: 'alarm' })).toEqual(['d10', 'x7']);
    expect(ids({ text: 'zzz' })).toEqual([]);
  });

  it('leaves the input list alone', () => {
    const before = rows.map((r) => r.id);
    ids({ sort: 'alarm' });
    expect(rows.map((r) => r.id)).toEqual(before);
  });
});
