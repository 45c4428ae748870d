import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium } from './chromium.mjs';
import { GatewayHost } from './gateway.js';
import { ProbeDevice } from './probe.js';
import { freePort, serveConsole } from './serve-console.mjs';

const missing = chromiumMissing();
if (missing && /^(true|1)$/i.test(process.env['CI'] ?? '')) {
  throw new Error(`dashboard-browser: CI is set but Chromium cannot run: ${missing}`);
}

/**
 * The long windows (1 h … 30 d) against the real gateway: its answer to `GET /history` is
 * what the chart shows, and live readings keep joining it.
 */
describe.skipIf(missing !== undefined)('long chart windows in Chromium', () => {
  let gateway: GatewayHost;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    gateway = await GatewayHost.start(await freePort());
    [server, browser] = await Promise.all([serveConsole(gateway.url), launchChromium()]);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await gateway?.stop();
  });

  async function openWindow(device: string, window: string): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    await page.goto(`${server.url}#/device/${device}`);
    await page
      .getByRole('group', { name: 'Time window' })
      .getByRole('button', { name: window })
      .click();
    return page;
  }

  const chart = (page: Page, topic: string) =>
    page.locator(`.chart[data-series="${topic}"][data-kind="history"]`);

  it('says history is unavailable when the gateway has no store, and offers the live windows', async () => {
    await using probe = new ProbeDevice(gateway.url, 'probe-nostore');
    await probe.publish('temperature', 21);
    const page = await openWindow('probe-nostore', '24 h');
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
});
