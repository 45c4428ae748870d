// Headless Debian Chromium through playwright-core, shared by the browser tests and the
// browser benchmark (bench/browser). Plain ESM so `node bench/browser/run.mjs` needs no build.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Where Debian installs Chromium (`apt-get install chromium`). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags that keep a CI Chromium quiet, offline and deterministic. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** Why the browser cannot run here, or undefined when it can. */
export function chromiumMissing() {
  return existsSync(CHROMIUM)
    ? undefined
    : `${CHROMIUM} not found (install it: apt-get install -y chromium, or set CHROMIUM_PATH)`;
}

/**
 * Launches Chromium. `extraArgs` are appended (the benchmark unthrottles frames).
 * @param {string[]} [extraArgs]
 * @returns {Promise<import('playwright-core').Browser>}
 */
export async function launchChromium(extraArgs = []) {
  const require = createRequire(import.meta.url);
  /** @type {typeof import('playwright-core')} */
  const { chromium } = require('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs] });
}
