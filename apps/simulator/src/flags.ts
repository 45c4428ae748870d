import { parseArgs } from 'node:util';
import type { CodecName } from '@pulse/protocol';

/** Everything a run needs, checked. */
export interface SimConfig {
  readonly url: string;
  readonly devices: number;
  /** Readings per second per metric, per device. */
  readonly hz: number;
  readonly symbols: number;
  /** Ticks per second per symbol. */
  readonly tickHz: number;
  readonly codec: CodecName;
  /** How publishers reach the gateway: its WebSocket protocol, or MQTT 5 (protocol §25). */
  readonly transport: 'ws' | 'mqtt';
  /** The MQTT broker with `--transport mqtt` (the gateway's, or an external one it bridges). */
  readonly mqttUrl: string;
  /** Most QoS 1 publishes per connection awaiting PUBACK (MQTT only). */
  readonly mqttWindow: number;
  readonly seed: number;
  /** Seconds; 0 runs until SIGINT/SIGTERM. */
  readonly durationSec: number;
  /** Chance per minute that a device drops off the network. */
  readonly dropoutPerMinute: number;
  readonly ackRatio: number;
  /** Simulated seconds per real second for the daily cycles. */
  readonly timeScale: number;
  readonly spikeProbability: number;
  readonly quiet: boolean;
  readonly help: boolean;
}

export const DEFAULT_URL = 'ws://127.0.0.1:8080/ws';
/** The MQTT port of a broker named by --url's host when no --mqtt-url is given (IANA's). */
export const DEFAULT_MQTT_PORT = 1883;

export const USAGE = `Usage: pulse-sim [options]

Simulated IoT devices and a price feed publishing through a Pulse gateway.

  --url <ws-url>        gateway WebSocket URL (default $PULSE_URL or ${DEFAULT_URL})
  --devices <n>         simulated devices, one connection each (default 10)
  --hz <n>              readings per second per metric per device (default 1)
  --symbols <n>         price symbols on the feed connection, 0 = no feed (default 5)
  --tick-hz <n>         ticks per second per symbol (default 5)
  --codec json|msgpack  wire codec (default json)
  --transport ws|mqtt   publish over the WebSocket protocol or MQTT 5, QoS 1 (default ws)
  --mqtt-url <url>      MQTT broker (default $PULSE_MQTT_URL or mqtt://<host of --url>:1883)
  --mqtt-window <n>     QoS 1 publishes per connection awaiting PUBACK before the
                        device slows down (default 64)
  --seed <n>            PRNG seed, for a reproducible run (default random, printed at start)
  --duration <s>        stop after this many seconds, 0 = run until Ctrl-C (default 0)
  --dropout <p>         chance per minute that a device goes offline for a while (default 0.1)
  --ack-ratio <r>       fraction of publishes that ask for an ack (default 0.1)
  --time-scale <x>      simulated seconds per real second for daily cycles (default 60)
  --spike-prob <p>      chance that a sensor reading carries a spike (default 0.002)
  --quiet               no live stats line, only the summary
  -h, --help            this text

Tokens: with $JWT_SECRET set they are minted locally (HS256), otherwise fetched from the
gateway's development endpoint GET /auth/dev-token (at the host of --url). Over MQTT the
token is the password and the device id the username.`;

/** A bad command line; the CLI prints the message and exits 2. */
export class FlagError extends Error {
  override readonly name = 'FlagError';
}

const OPTIONS = {
  url: { type: 'string' },
  devices: { type: 'string' },
  hz: { type: 'string' },
  symbols: { type: 'string' },
  'tick-hz': { type: 'string' },
  codec: { type: 'string' },
  transport: { type: 'string' },
  'mqtt-url': { type: 'string' },
  'mqtt-window': { type: 'string' },
  seed: { type: 'string' },
  duration: { type: 'string' },
  dropout: { type: 'string' },
  'ack-ratio': { type: 'string' },
  'time-scale': { type: 'string' },
  'spike-prob': { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Parses `argv` (without node and script). A leading `--` is dropped: `pnpm sim -- --devices 5`
 * passes it through.
 */
export function parseFlags(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
  randomSeed: () => number = () => Math.floor(Math.random() * 2 ** 32),
): SimConfig {
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(args).values;
  } catch (err) {
    throw new FlagError((err as Error).message);
  }

  const url = values.url ?? env.PULSE_URL ?? DEFAULT_URL;
  checkUrl(url);
  const codec = values.codec ?? 'json';
  if (codec !== 'json' && codec !== 'msgpack') {
    throw new FlagError(`--codec must be json or msgpack, got "${codec}"`);
  }
  const transport = values.transport ?? 'ws';
  if (transport !== 'ws' && transport !== 'mqtt') {
    throw new FlagError(`--transport must be ws or mqtt, got "${transport}"`);
  }
  const mqttUrl =
    values['mqtt-url'] ??
    env.PULSE_MQTT_URL ??
    `mqtt://${new URL(url).hostname}:${DEFAULT_MQTT_PORT}`;
  checkMqttUrl(mqttUrl);
  const config: SimConfig = {
    url,
    codec,
    transport,
    mqttUrl,
    mqttWindow: num('mqtt-window', values['mqtt-window'], 64, {
      integer: true,
      min: 1,
      max: 65_535,
    }),
    devices: num('devices', values.devices, 10, { integer: true, min: 0, max: 10_000 }),
    hz: num('hz', values.hz, 1, { min: 0, minExclusive: true, max: 100 }),
    symbols: num('symbols', values.symbols, 5, { integer: true, min: 0, max: 1_000 }),
    tickHz: num('tick-hz', values['tick-hz'], 5, { min: 0, minExclusive: true, max: 1_000 }),
    seed:
      values.seed === undefined
        ? randomSeed() >>> 0
        : num('seed', values.seed, 0, { integer: true }) >>> 0,
    durationSec: num('duration', values.duration, 0, { min: 0 }),
    dropoutPerMinute: num('dropout', values.dropout, 0.1, { min: 0, max: 1 }),
    ackRatio: num('ack-ratio', values['ack-ratio'], 0.1, { min: 0, max: 1 }),
    timeScale: num('time-scale', values['time-scale'], 60, {
      min: 0,
      minExclusive: true,
      max: 1e6,
    }),
    spikeProbability: num('spike-prob', values['spike-prob'], 0.002, { min: 0, max: 1 }),
    quiet: values.quiet ?? false,
    help: values.help ?? false,
  };
  if (!config.help && config.devices === 0 && config.symbols === 0) {
    throw new FlagError('nothing to simulate: --devices and --symbols are both 0');
  }
  return config;
}

function parse(args: string[]) {
  return parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false });
}

interface NumRule {
  readonly integer?: boolean;
  readonly min?: number;
  readonly minExclusive?: boolean;
  readonly max?: number;
}

function num(flag: string, raw: string | undefined, fallback: number, rule: NumRule): number {
  if (raw === undefined) return fallback;
  const value = raw.trim() === '' ? NaN : Number(raw);
  const kind = rule.integer ? 'an integer' : 'a number';
  if (!Number.isFinite(value) || (rule.integer && !Number.isInteger(value))) {
    throw new FlagError(`--${flag} must be ${kind}, got "${raw}"`);
  }
  const { min, max } = rule;
  const belowMin = min !== undefined && (rule.minExclusive ? value <= min : value < min);
  if (belowMin || (max !== undefined && value > max)) {
    const lo = min === undefined ? '' : rule.minExclusive ? `> ${min}` : `>= ${min}`;
    const hi = max === undefined ? '' : `<= ${max}`;
    throw new FlagError(`--${flag} must be ${[lo, hi].filter(Boolean).join(' and ')}, got ${raw}`);
  }
  return value;
}

function checkUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FlagError(`--url is not a URL: "${url}"`);
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new FlagError(`--url must start with ws:// or wss://, got "${url}"`);
  }
}

function checkMqttUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FlagError(`--mqtt-url is not a URL: "${url}"`);
  }
  if (!['mqtt:', 'mqtts:', 'ws:', 'wss:'].includes(parsed.protocol)) {
    throw new FlagError(
      `--mqtt-url must start with mqtt://, mqtts://, ws:// or wss://, got "${url}"`,
    );
  }
}
