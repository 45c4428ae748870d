import { describe, expect, it } from 'vitest';
import { parseBucket, parseBucketMap, parseTopicPolicies, policyFor } from './flow-settings.js';

describe('flow settings', () => {
  it('parses topic policies and picks the first match per pattern', () => {
    const r = parseTopicPolicies(
      'device.d1.*=50:conflate; device.*.*=5:aggregate;price.*=20:conflate',
    );
    expect(r.ok).toBe(true);
    const policies = r.ok ? r.value : [];
    expect(policyFor(policies, 'device.d1.temperature')?.rate).toBe(50);
    expect(policyFor(policies, 'device.d2.temperature')).toMatchObject({
      rate: 5,
      mode: 'aggregate',
    });
    expect(policyFor(policies, 'device.*.temperature')?.rate).toBe(5); // a pattern's * matches only a policy *
    expect(policyFor(policies, 'price.*')?.rate).toBe(20);
    expect(policyFor(policies, 'presence.d1')).toBeUndefined();
    expect(parseTopicPolicies('none')).toEqual({ ok: true, value: [] });
  });

  it.each(['price.*=fast:conflate', 'price.*=20', 'price.*=20:drop', '=5:conflate'])(
    'rejects policy %j',
    (text) => {
      expect(parseTopicPolicies(text).ok).toBe(false);
    },
  );

  it('parses buckets and per-key maps', () => {
    expect(parseBucket('50/100')).toEqual({ ok: true, value: { rate: 50, burst: 100 } });
    expect(parseBucket('0/1').ok).toBe(false);
    expect(parseBucket('5').ok).toBe(false);
    const m = parseBucketMap('device=5/10,feed=100/200', ['device', 'feed']);
    expect(m.ok && [...m.value.entries()]).toEqual([
      ['device', { rate: 5, burst: 10 }],
      ['feed', { rate: 100, burst: 200 }],
    ]);
    expect(parseBucketMap('operator=1/1', ['device']).ok).toBe(false);
  });
});
