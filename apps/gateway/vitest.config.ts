import { pulseProject, swcPlugin } from '../../vitest.shared.js';

export default pulseProject('gateway', {
  plugins: [swcPlugin()],
  // Kills the redis-servers of tests that timed out before disposing of them.
  // deploy-dir: one folder per run for the image build the deploy tests share.
  test: { globalSetup: ['test/redis/leftovers.ts', 'test/deploy/deploy-dir.ts'] },
});
