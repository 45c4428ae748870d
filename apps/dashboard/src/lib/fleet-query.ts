import type { DeviceRow } from '../state/fleet.svelte.js';

export type StatusFilter = 'all' | 'online' | 'offline' | 'alarm';
export type SortKey = 'name' | 'status' | 'alarm';

export interface FleetQuery {
  /** Case-insensitive part of the device id. */
  readonly text: string;
  readonly status: StatusFilter;
  readonly sort: SortKey;
}

const byName = new Intl.Collator('en', { numeric: true, sensitivity: 'base' }).compare;

/** Offline needs a look first, then devices never heard of, then the healthy ones. */
function statusRank(row: DeviceRow): number {
  return row.online === false ? 0 : row.online === undefined ? 1 : 2;
}

/**
 * The devices to show: filtered by text and status, sorted by name (natural: d2 before d10),
 * status (offline first) or alarms (most first); ties always fall back to the name, so the
 * order is stable while values tick.
 */
export function queryDevices(
  rows: readonly DeviceRow[],
  query: FleetQuery,
  alarms: ReadonlyMap<string, number>,
): DeviceRow[] {
  const text = query.text.trim().toLowerCase();
  const out = rows.filter((r) => {
    if (text && !r.id.toLowerCase().includes(text)) return false;
    switch (query.status) {
      case 'all':
        return true;
      case 'online':
        return r.online === true;
      case 'offline':
        return r.online === false;
      case 'alarm':
        return (alarms.get(r.id) ?? 0) > 0;
    }
  });
  switch (query.sort) {
    case 'name':
      return out.sort((a, b) => byName(a.id, b.id));
    case 'status':
      return out.sort((a, b) => statusRank(a) - statusRank(b) || byName(a.id, b.id));
    case 'alarm':
      return out.sort(
        (a, b) => (alarms.get(b.id) ?? 0) - (alarms.get(a.id) ?? 0) || byName(a.id, b.id),
      );
  }
}
