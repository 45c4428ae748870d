import { createOpener } from '../../../simulator/src/connection.js';
import { parseFlags } from '../../../simulator/src/flags.js';
import { Simulation } from '../../../simulator/src/simulation.js';
import { createTokenSource } from '../../../simulator/src/tokens.js';

/**
 * The real simulator (what `pulse-sim` runs), in this process: devices each on their own
 * connection with dev tokens from the gateway, and one price feed.
 */
export function startSimulator(wsUrl: string, flags: string[]): { stop(): void } & Disposable {
  const config = parseFlags(['--url', wsUrl, '--quiet', ...flags], {});
  const tokens = createTokenSource({ url: config.url });
  const sim = new Simulation(config, { open: createOpener({ ...config, tokens }) });
  sim.start();
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    sim.stop();
  };
  return { stop, [Symbol.dispose]: stop };
}
