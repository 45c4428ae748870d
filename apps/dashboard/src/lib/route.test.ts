import { describe, expect, it } from 'vitest';
import { parseRoute, routeHref } from './route.js';

describe('routes', () => {
  it('reads each view from the hash and writes it back', () => {
    for (const hash of ['#/fleet', '#/markets', '#/alarms', '#/device/dev-001']) {
      expect(routeHref(parseRoute(hash))).toBe(hash);
    }
    expect(parseRoute('#/device/dev-001')).toEqual({ view: 'device', id: 'dev-001' });
  });

  it('falls back to the fleet for anything it does not know', () => {
    for (const hash of [
      '',
      '#',
      '#/',
      '#/nope',
      '#/device/',
      '#/device/a.b',
      '#/device/%E0%A4%A',
    ]) {
      expect(parseRoute(hash)).toEqual({ view: 'fleet' });
    }
  });
});
