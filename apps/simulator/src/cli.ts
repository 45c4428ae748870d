#!/usr/bin/env node
import { systemClock } from './clock.js';
import { createOpener } from './connection.js';
import { FlagError, parseFlags, USAGE, type SimConfig } from './flags.js';
import { createMqttOpener } from './mqtt-link.js';
import { startReporter } from './report.js';
import { METRICS } from './signals/sensor.js';
import { Simulation } from './simulation.js';
import { formatSummary, Stats } from './stats.js';
import { createTokenSource, tokenTtlSeconds } from './tokens.js';

/** `pulse-sim`: run the simulated fleet until Ctrl-C or `--duration`, then print a summary. */
function main(): void {
  let config: SimConfig;
  try {
    config = parseFlags(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    process.stderr.write(`pulse-sim: ${err.message}\nRun with --help to see the options.\n`);
    process.exit(2);
  }
  if (config.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }

  const stats = new Stats();
  const secret = process.env.JWT_SECRET || undefined;
  const tokens = createTokenSource({
    url: config.url,
    secret,
    ttlSeconds: tokenTtlSeconds(process.env.TOKEN_MAX_TTL),
    onError: (err) => {
      stats.tokenErrors++;
      stats.lastTokenError = err.message;
    },
  });
  const open =
    config.transport === 'mqtt'
      ? createMqttOpener({ mqttUrl: config.mqttUrl, tokens, window: config.mqttWindow })
      : createOpener({ ...config, tokens });
  const sim = new Simulation(config, { open, stats });
  const write = (text: string) => process.stderr.write(text);

  if (!config.quiet) write(`${banner(config, secret !== undefined)}\n`);
  sim.start();
  const stopReporter = config.quiet
    ? () => {}
    : startReporter({
        stats,
        gauges: () => sim.gauges(),
        clock: systemClock,
        write,
        tty: process.stderr.isTTY === true,
        columns: () => process.stderr.columns,
      });

  let finished = false;
  const finish = () => {
    if (finished) {
      // A second Ctrl-C while connections close: stop waiting.
      process.exit(0);
    }
    finished = true;
    clearTimeout(durationTimer);
    stopReporter();
    sim.stop();
    write(`${formatSummary(stats, sim.elapsedMs)}\n`);
    process.exitCode = 0;
    // Closing sockets wait for the server's close frame; don't let a silent server hold us.
    setTimeout(() => process.exit(0), 1_500).unref();
  };
  const durationTimer =
    config.durationSec > 0 ? setTimeout(finish, config.durationSec * 1000) : undefined;
  process.on('SIGINT', finish);
  process.on('SIGTERM', finish);
}

function banner(c: SimConfig, localTokens: boolean): string {
  const parts = [
    `pulse-sim → ${c.transport === 'mqtt' ? `${c.mqttUrl} (MQTT 5, QoS 1)` : c.url}`,
    `${c.devices} device${c.devices === 1 ? '' : 's'} × ${METRICS.length} metrics @ ${c.hz} Hz`,
    c.symbols > 0 ? `${c.symbols} symbol${c.symbols === 1 ? '' : 's'} @ ${c.tickHz} Hz` : 'no feed',
    ...(c.transport === 'mqtt' ? [] : [`codec ${c.codec}`]),
    `seed ${c.seed}`,
    `tokens ${localTokens ? 'minted with JWT_SECRET' : 'from /auth/dev-token'}`,
    c.durationSec > 0 ? `for ${c.durationSec} s` : 'until Ctrl-C',
  ];
  return parts.join(' · ');
}

main();
