import { defineConfig } from 'vitest/config';
import { loadSwc } from './vitest.shared.js';

// Before the projects load (concurrently): see `loadSwc`.
loadSwc();

/** One root config; each package's `vitest.config.ts` defines its project. */
export default defineConfig({
  test: {
    projects: [
      'packages/*/vitest.config.ts',
      'apps/*/vitest.config.ts',
      // The operator console in headless Chromium against the real gateway and simulator.
      'apps/dashboard/test/browser/vitest.config.ts',
    ],
  },
});
