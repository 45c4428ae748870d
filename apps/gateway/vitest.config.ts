import swc from 'unplugin-swc';
import { pulseProject } from '../../vitest.shared.js';

// SWC emits the decorator metadata Nest's dependency injection reads; esbuild/oxc do not.
export default pulseProject('gateway', {
  plugins: [swc.vite({ module: { type: 'es6' } })],
  // Kills the redis-servers of tests that timed out before disposing of them.
  test: { globalSetup: ['test/redis/leftovers.ts'] },
});
