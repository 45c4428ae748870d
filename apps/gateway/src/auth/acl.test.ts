import { describe, expect, it } from 'vitest';
import { canPublish, canReadMetrics, canSubscribe, covers } from './acl.js';
import type { Principal } from './claims.js';

const who = (role: Principal['role'], subject = 's', topics?: string[]): Principal => ({
  role,
  subject,
  ...(topics ? { topics } : {}),
});

describe('ACL', () => {
  it.each([
    [who('operator'), 'price.X', false],
    [who('operator'), 'device.s.t', false],
    [who('device', 'd1'), 'device.d1.t', true],
    [who('device', 'd1'), 'device.d2.t', false],
    [who('device', 'd1'), 'device.d10.t', false],
    [who('device', 'd1'), 'price.X', false],
    [who('feed'), 'price.X', true],
    [who('feed'), 'device.s.t', false],
    [who('admin'), 'price.X', true],
    [who('admin'), 'device.d9.t', true],
    [who('admin'), 'presence.d9', false],
    [who('admin'), 'alarm.d9.t', false],
    [who('feed', 'f', ['price.BTC']), 'price.BTC', true],
    [who('feed', 'f', ['price.BTC']), 'price.ETH', false],
    [who('admin', 'a', ['price.*']), 'device.d1.t', false],
  ])('publish: %j to %s → %s', (p, topic, allowed) => {
    expect(canPublish(p, topic)).toBe(allowed);
  });

  it('lets every role read, within its allow-list', () => {
    for (const role of ['operator', 'device', 'feed', 'admin'] as const)
      expect(canSubscribe(who(role), 'device.*.t')).toBe(true);
    const kiosk = who('operator', 'k', ['price.*', 'device.d1.*']);
    expect(canSubscribe(kiosk, 'price.*')).toBe(true);
    expect(canSubscribe(kiosk, 'price.X')).toBe(true);
    expect(canSubscribe(kiosk, 'device.d1.temperature')).toBe(true);
    expect(canSubscribe(kiosk, 'device.*.temperature')).toBe(false);
    expect(canSubscribe(kiosk, 'presence.*')).toBe(false);
  });

  it('reads metrics as admin only', () => {
    expect(canReadMetrics(who('admin'))).toBe(true);
    expect(canReadMetrics(who('operator'))).toBe(false);
  });

  it('covers a pattern only when every match is allowed', () => {
    expect(covers('device.d1.*', 'device.d1.t')).toBe(true);
    expect(covers('device.d1.*', 'device.*.t')).toBe(false);
    expect(covers('price.X', 'price.*')).toBe(false);
  });
});
