import { pulseProject, swcPlugin } from '../../vitest.shared.js';

export default pulseProject('gateway', {
  plugins: [swcPlugin()],
  // Kills the redis-servers of tests that timed out before disposing of them.
  test: { globalSetup: ['test/redis/leftovers.ts'] },
});
