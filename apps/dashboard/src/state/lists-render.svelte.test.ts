import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import { FleetState } from './fleet.svelte.js';
import { MarketsState } from './markets.svelte.js';
import { presence, reading, tick } from './test-messages.js';

/** Counts how often an effect that renders `read()` would re-run. */
function renders(read: () => unknown) {
  let runs = 0;
  const stop = $effect.root(() => {
    $effect(() => {
      read();
      runs++;
    });
  });
  flushSync();
  return {
    get runs() {
      return runs;
    },
    stop,
  };
}

describe('list stores under a firehose', () => {
  it('re-render the device list once per flush, however many messages arrived', () => {
    const fleet = new FleetState();
    const view = renders(() => fleet.rows);
    expect(view.runs).toBe(1);
    for (let i = 1; i <= 500; i++)
      fleet.ingestReading(reading(`d${i % 7}`, 'temperature', i, i, 20 + i / 100));
    flushSync();
    expect(view.runs).toBe(1); // messages alone render nothing
    fleet.flush();
    flushSync();
    expect(view.runs).toBe(2);
    expect(fleet.rows).toHaveLength(7);
    fleet.flush(); // nothing new: no render
    flushSync();
    expect(view.runs).toBe(2);
    view.stop();
  });

  it('update derived counts only when presence actually changes them', () => {
    const fleet = new FleetState();
    const view = renders(() => fleet.onlineCount);
    fleet.ingestPresence(presence('d1', 1, true, 1));
    fleet.flush();
    flushSync();
    expect(fleet.onlineCount).toBe(1);
    expect(view.runs).toBe(2);
    fleet.ingestReading(reading('d1', 'humidity', 1, 2, 40, '%'));
    fleet.flush();
    flushSync();
    expect(view.runs).toBe(2); // a reading changes rows but not the online count
    view.stop();
  });

  it('re-render the symbol list once per flush', () => {
    const markets = new MarketsState();
    const view = renders(() => markets.rows);
    for (let i = 1; i <= 200; i++) markets.ingest(tick(i % 2 ? 'A' : 'B', i, i, 100 + i));
    markets.flush();
    flushSync();
    expect(view.runs).toBe(2);
    expect(markets.rows.map((r) => r.symbol)).toEqual(['A', 'B']);
    view.stop();
  });
});
