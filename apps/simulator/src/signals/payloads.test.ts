import { isTopic, validatePayload } from '@pulse/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { deviceIds } from '../devices.js';
import { Rng } from '../random.js';
import { symbolSpecs } from '../symbols.js';
import { DeviceSignals, FeedSignals } from './payloads.js';

const T0 = Date.UTC(2025, 0, 1);

let failures: string[] = [];
beforeEach(() => {
  failures = [];
});

/** Records (rather than throws per call, which is slow) every topic or payload the gateway would refuse. */
function check(topic: string, payload: unknown): void {
  if (!isTopic(topic)) failures.push(`invalid topic ${topic}`);
  const result = validatePayload(topic, payload);
  if (!result.ok) failures.push(`${topic}: ${result.reason} in ${JSON.stringify(payload)}`);
}

describe('generated payloads', () => {
  it('every device reading is a valid SensorReading on a valid topic', () => {
    const rng = new Rng(31);
    const devices = deviceIds(20).map(
      (id) =>
        new DeviceSignals(id, rng.fork(id), {
          startMs: T0,
          timeScale: 600,
          spikeProbability: 0.05,
        }),
    );
    const seen = new Set<string>();
    for (let t = T0; t < T0 + 10 * 60_000; t += 500) {
      for (const d of devices) {
        for (const { topic, payload } of d.readings(t)) {
          seen.add(topic);
          check(topic, payload);
          if (payload.ts !== t) failures.push(`${topic}: ts ${payload.ts} != ${t}`);
        }
      }
    }
    expect(seen).toContain('device.dev-001.temperature');
    expect(seen).toContain('device.dev-020.battery');
    expect(seen.size).toBe(20 * 4);
    expect(failures).toEqual([]);
  });

  it('every price tick is a valid PriceTick on a valid topic', () => {
    const feed = new FeedSignals(symbolSpecs(15), new Rng(32));
    const seen = new Set<string>();
    for (let t = T0; t < T0 + 5 * 60_000; t += 50) {
      for (const { topic, payload } of feed.ticks(t)) {
        seen.add(topic);
        check(topic, payload);
      }
    }
    expect([...seen].slice(0, 3)).toEqual(['price.AAPL', 'price.MSFT', 'price.BTC-USD']);
    expect(seen).toContain('price.SYM15');
    expect(failures).toEqual([]);
  });

  it('names devices dev-001... and symbols AAPL... then SYM11...', () => {
    expect(deviceIds(3)).toEqual(['dev-001', 'dev-002', 'dev-003']);
    expect(deviceIds(1000).at(-1)).toBe('dev-1000');
    expect(
      symbolSpecs(12)
        .map((s) => s.symbol)
        .slice(9),
    ).toEqual(['META', 'SYM11', 'SYM12']);
    expect(symbolSpecs(0)).toEqual([]);
  });
});
