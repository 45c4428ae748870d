import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium } from './chromium.mjs';
import { GatewayHost } from './gateway.js';
import { ProbeDevice, ProbeFeed } from './probe.js';
import { freePort, serveConsole } from './serve-console.mjs';

const missing = chromiumMissing();
/** As console.test.ts: docs/screenshots when asked (UPDATE_SCREENSHOTS=1), else test-results. */
const repo = join(import.meta.dirname, '..', '..', '..', '..');
const shots = process.env['UPDATE_SCREENSHOTS']
  ? join(repo, 'docs', 'screenshots')
  : join(repo, 'test-results', 'screenshots');
if (missing && /^(true|1)$/i.test(process.env['CI'] ?? '')) {
  throw new Error(`dashboard-browser: CI is set but Chromium cannot run: ${missing}`);
}

/**
 * The long windows (1 h … 30 d) against the real gateway: its answer to `GET /history` is
 * what the chart shows, and live readings keep joining it.
 */
describe.skipIf(missing !== undefined)('long chart windows in Chromium', () => {
  let gateway: GatewayHost;
  /** Without a store: the console's "unavailable" state. */
  let bare: GatewayHost;
  let bareServer: { url: string; close(): Promise<void> };
  const dataDir = mkdtempSync(join(tmpdir(), 'pulse-console-history-'));
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    // The embedded store (PGlite) in a directory of its own.
    [gateway, bare] = await Promise.all([
      freePort().then((port) => GatewayHost.start(port, { HISTORY: 'on', DATA_DIR: dataDir })),
      freePort().then((port) => GatewayHost.start(port)),
    ]);
    [server, bareServer, browser] = await Promise.all([
      serveConsole(gateway.url),
      serveConsole(bare.url),
      launchChromium(),
    ]);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await bareServer?.close();
    await gateway?.stop();
    await bare?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function openWindow(device: string, window: string, url = server.url): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    await page.goto(`${url}#/device/${device}`);
    await page
      .getByRole('group', { name: 'Time window' })
      .getByRole('button', { name: window })
      .click();
    return page;
  }

  const chart = (page: Page, topic: string) =>
    page.locator(`.chart[data-series="${topic}"][data-kind="history"]`);

  it('says history is unavailable when the gateway has no store, and offers the live windows', async () => {
    await using probe = new ProbeDevice(bare.url, 'probe-nostore');
    await probe.publish('temperature', 21);
    const page = await openWindow('probe-nostore', '24 h', bareServer.url);
    const temperature = chart(page, 'device.probe-nostore.temperature');
    await expect.poll(() => temperature.getAttribute('data-state')).toBe('unavailable');
    const card = page.locator('[data-metric="temperature"]');
    await expect.poll(() => card.getByRole('status').textContent()).toMatch(/History unavailable/);
    // Back to a live window: the live chart is there again.
    await page
      .getByRole('group', { name: 'Time window' })
      .getByRole('button', { name: '1 min' })
      .click();
    await page
      .locator('.chart[data-series="device.probe-nostore.temperature"]:not([data-kind])')
      .waitFor();
    await page.close();
  });

  it('opens 24 h with what the store kept across a restart, and keeps adding live readings', async () => {
    const now = Date.now();
    const MIN = 60_000;
    {
      await using probe = new ProbeDevice(gateway.url, 'probe-h');
      // 60 readings, 20 minutes apart, the last 10 minutes ago: 19 h 50 min of history.
      for (let i = 0; i < 60; i++) {
        await probe.publish('temperature', 10 + i, '°C', now - 10 * MIN - (59 - i) * 20 * MIN);
      }
    }
    await gateway.flushHistory();
    // A fresh in-memory bus: the live backfill knows none of it; only the store does.
    await gateway.restart({ freshBus: true });
    const page = await openWindow('probe-h', '24 h');
    const temperature = chart(page, 'device.probe-h.temperature');
    await expect.poll(() => temperature.getAttribute('data-state')).toBe('ready');
    // Each reading in its own 2-minute step (from the 1-minute rollups), none lost or doubled.
    expect(await temperature.getAttribute('data-buckets')).toBe('60');
    expect(await temperature.getAttribute('data-readings')).toBe('60');
    expect(await temperature.getAttribute('data-last-y')).toBe('69');
    const note = page.locator('[data-metric="temperature"]').getByRole('status');
    expect(await note.textContent()).toMatch(/2 min steps .* 1m data/);

    // Drag across the middle of the plot: zoomed in to fewer steps; double-click: all again.
    const box = (await temperature.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => temperature.getAttribute('data-zoomed')).toBe('true');
    expect(Number(await temperature.getAttribute('data-buckets'))).toBeLessThan(60);
    await temperature.dblclick();
    await expect.poll(() => temperature.getAttribute('data-zoomed')).toBe('false');
    expect(await temperature.getAttribute('data-buckets')).toBe('60');

    // Live readings join at the right edge, once each. (One at a time: the device policy
    // conflates readings that come faster than its rate, and the chart would rightly skip some.)
    await using live = new ProbeDevice(gateway.url, 'probe-h');
    for (const value of [70.5, 71.5, 72.5]) {
      await live.publish('temperature', value);
      await expect.poll(() => temperature.getAttribute('data-last-y')).toBe(String(value));
    }
    expect(await temperature.getAttribute('data-live')).toBe('3');
    expect(await temperature.getAttribute('data-readings')).toBe('63');
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'device-24h.png') });

    // 1 h, loaded now: the three old readings of the last hour and the three live ones, which
    // the store holds too by now (so some come as steps, the rest live): each one once.
    await gateway.flushHistory();
    await page
      .getByRole('group', { name: 'Time window' })
      .getByRole('button', { name: '1 h' })
      .click();
    await expect.poll(() => temperature.getAttribute('data-readings')).toBe('6');
    expect(await temperature.getAttribute('data-last-y')).toBe('72.5');
    expect(Number(await temperature.getAttribute('data-buckets'))).toBeGreaterThanOrEqual(3);
    await live.publish('temperature', 73.5);
    await expect.poll(() => temperature.getAttribute('data-readings')).toBe('7');
    expect(await temperature.getAttribute('data-last-y')).toBe('73.5');
    await page.close();
  });

  it('zooms a 7 d window into finer steps fetched for the span, draws an outage as a break, resets', async () => {
    const now = Date.now();
    const MIN = 60_000;
    const H = 60 * MIN;
    const stamps: number[] = [];
    // Every 2 h over three days, silent for 12 h in the middle (an outage), up to 6 h ago …
    for (let t = now - 72 * H; t <= now - 6 * H; t += 2 * H) {
      if (t <= now - 50 * H || t >= now - 38 * H) stamps.push(t);
    }
    // … then a reading every 2 minutes for the last two hours (under the device's burst of 100).
    for (let t = now - 120 * MIN; t <= now - 12 * MIN; t += 2 * MIN) stamps.push(t);
    {
      await using probe = new ProbeDevice(gateway.url, 'probe-zoom');
      for (const [i, t] of stamps.entries())
        await probe.publish('temperature', 20 + (i % 7), '°C', t);
    }
    await gateway.flushHistory();
    // Only the store has them: the chart's steps are the store's answers, not the live backfill.
    await gateway.restart({ freshBus: true });

    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    /** The step of each `step=auto` answer for the temperature chart, in order. */
    const steps: number[] = [];
    page.on('response', (res) => {
      const url = new URL(res.url());
      if (url.pathname !== '/history' || url.searchParams.get('step') !== 'auto') return;
      if (url.searchParams.get('topic') !== 'device.probe-zoom.temperature') return;
      void res.json().then((body: { step: number }) => steps.push(body.step));
    });
    await page.goto(`${server.url}#/device/probe-zoom`);
    await page
      .getByRole('group', { name: 'Time window' })
      .getByRole('button', { name: '7 d' })
      .click();
    const temperature = chart(page, 'device.probe-zoom.temperature');
    await expect.poll(() => temperature.getAttribute('data-state')).toBe('ready');
    // 7 d at step=auto: 15-minute steps (10 minutes would be 1008, over 1000), from the rollups.
    await expect.poll(() => steps).toEqual([15 * MIN]);
    expect(await temperature.getAttribute('data-step')).toBe(String(15 * MIN));
    expect(await temperature.getAttribute('data-readings')).toBe(String(stamps.length));
    // The 12-hour outage is one break in the line; nothing else is.
    expect(await temperature.getAttribute('data-breaks')).toBe('1');

    // Drag over the last few hours, to the right edge: the span is asked again at step=auto.
    const box = (await temperature.boundingBox())!;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.975, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width - 2, y, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => temperature.getAttribute('data-detail')).toBe('ready');
    expect(await temperature.getAttribute('data-zoomed')).toBe('true');
    expect(await temperature.getAttribute('data-zoom-live')).toBe('true');
    await expect.poll(() => steps.length).toBe(2);
    const fine = steps[1]!;
    expect(fine).toBeLessThan(MIN);
    expect(await temperature.getAttribute('data-step')).toBe(String(fine));
    // At that step every dense reading is a step of its own: as many steps as readings.
    const buckets = Number(await temperature.getAttribute('data-buckets'));
    expect(buckets).toBeGreaterThanOrEqual(50);
    expect(await temperature.getAttribute('data-readings')).toBe(String(buckets));
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'device-7d-zoomed.png') });

    // Double-click: the window's 15-minute steps again, from what was loaded (no request).
    await temperature.dblclick();
    await expect.poll(() => temperature.getAttribute('data-zoomed')).toBe('false');
    expect(await temperature.getAttribute('data-step')).toBe(String(15 * MIN));
    expect(await temperature.getAttribute('data-breaks')).toBe('1');
    expect(steps).toHaveLength(2);
    await page.close();
  });

  it('shows a symbol at 24 h as stored candles, then live ticks fold into candles', async () => {
    const now = Date.now();
    const MIN = 60_000;
    {
      await using feed = new ProbeFeed(gateway.url);
      // 30 ticks, 30 minutes apart, the last 10 minutes ago.
      for (let i = 0; i < 30; i++) {
        await feed.publish('HIST', 100 + i, now - 10 * MIN - (29 - i) * 30 * MIN);
      }
    }
    await gateway.flushHistory();
    await gateway.restart({ freshBus: true });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    await page.goto(`${server.url}#/markets`);
    // The symbol appears once it ticks live (the fresh bus has no backfill for it).
    await using feed = new ProbeFeed(gateway.url);
    await feed.publish('HIST', 130.5);
    await page.locator('section[data-symbol="HIST"]').waitFor();
    await page
      .getByRole('group', { name: 'Time window' })
      .getByRole('button', { name: '24 h' })
      .click();
    const candles = page.locator('.chart[data-series="price.HIST"][data-kind="history-candles"]');
    await expect.poll(() => candles.getAttribute('data-state')).toBe('ready');
    // 30 stored ticks, each its own candle, and the live one (stored too by now, counted once).
    await expect.poll(() => candles.getAttribute('data-ticks')).toBe('31');
    expect(Number(await candles.getAttribute('data-stored'))).toBeGreaterThanOrEqual(30);
    expect(await candles.getAttribute('data-last-close')).toBe('130.5');
    for (const price of [131.5, 129.5]) {
      await feed.publish('HIST', price);
      await expect.poll(() => candles.getAttribute('data-last-close')).toBe(String(price));
    }
    expect(await candles.getAttribute('data-ticks')).toBe('33');
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'markets-24h.png') });
    await page.close();
  });
});
