import { pulseProject, swcPlugin } from '../../../../vitest.shared.js';

// The browser tests run the real gateway in this process from its TypeScript source.
/**
 * `dashboard-browser`: the console in headless Chromium (playwright-core) against the real
 * gateway and simulator. Skipped, with a message, when Chromium is not installed (an error with CI=true).
 */
export default pulseProject('dashboard-browser', {
  plugins: [swcPlugin()],
  test: {
    include: ['*.test.ts'],
    testTimeout: 45_000,
    // The page is live: give it time to show what the test is waiting for.
    expect: { poll: { timeout: 10_000, interval: 100 } },
    hookTimeout: 90_000,
  },
});
