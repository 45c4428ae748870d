import { createRequire } from 'node:module';
import { pulseProject } from '../../../../vitest.shared.js';

// The browser tests run the real gateway in this process from its TypeScript source, which
// needs the decorator metadata SWC emits; the plugin is the gateway's own dev dependency.
const gatewayRequire = createRequire(new URL('../../../gateway/package.json', import.meta.url));
const swcModule = gatewayRequire('unplugin-swc') as { default?: SwcPlugin } & SwcPlugin;
const swc = swcModule.default ?? swcModule;

interface SwcPlugin {
  vite(options: { module: { type: 'es6' } }): never;
}

/**
 * `dashboard-browser`: the console in headless Chromium (playwright-core) against the real
 * gateway and simulator. Skipped, with a message, when Chromium is not installed (an error with CI=true).
 */
export default pulseProject('dashboard-browser', {
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    include: ['*.test.ts'],
    testTimeout: 45_000,
    // The page is live: give it time to show what the test is waiting for.
    expect: { poll: { timeout: 10_000, interval: 100 } },
    hookTimeout: 90_000,
  },
});
