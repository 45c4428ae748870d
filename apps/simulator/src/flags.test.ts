import { describe, expect, it } from 'vitest';
import { DEFAULT_MQTT_PORT, DEFAULT_URL, FlagError, parseFlags } from './flags.js';

const parse = (argv: string[], env: Record<string, string> = {}) =>
  parseFlags(argv, env, () => 1234);

describe('parseFlags', () => {
  it('has sensible defaults', () => {
    expect(parse([])).toEqual({
      url: DEFAULT_URL,
      devices: 10,
      hz: 1,
      symbols: 5,
      tickHz: 5,
      codec: 'json',
      transport: 'ws',
      mqttUrl: `mqtt://127.0.0.1:${DEFAULT_MQTT_PORT}`,
      mqttWindow: 64,
      seed: 1234,
      durationSec: 0,
      dropoutPerMinute: 0.1,
      ackRatio: 0.1,
      timeScale: 60,
      spikeProbability: 0.002,
      quiet: false,
      help: false,
    });
  });

  it('reads the documented command line, including the `--` pnpm passes through', () => {
    const c = parse([
      '--',
      '--devices',
      '50',
      '--hz',
      '2',
      '--symbols',
      '10',
      '--tick-hz',
      '20',
      '--url',
      'ws://127.0.0.1:9000/ws',
      '--codec',
      'msgpack',
      '--seed',
      '7',
      '--duration',
      '30',
      '--dropout',
      '0.5',
      '--ack-ratio',
      '1',
      '--time-scale',
      '3600',
      '--spike-prob',
      '0',
      '--quiet',
    ]);
    expect(c).toMatchObject({
      devices: 50,
      hz: 2,
      symbols: 10,
      tickHz: 20,
      url: 'ws://127.0.0.1:9000/ws',
      codec: 'msgpack',
      seed: 7,
      durationSec: 30,
      dropoutPerMinute: 0.5,
      ackRatio: 1,
      timeScale: 3600,
      spikeProbability: 0,
      quiet: true,
    });
    expect(parse(['--devices=3', '--hz=0.5'])).toMatchObject({ devices: 3, hz: 0.5 });
  });

  it('takes the URL from PULSE_URL unless --url is given', () => {
    expect(parse([], { PULSE_URL: 'wss://pulse.example/ws' }).url).toBe('wss://pulse.example/ws');
    expect(parse(['--url', 'ws://a/ws'], { PULSE_URL: 'wss://b/ws' }).url).toBe('ws://a/ws');
  });

  it('reads --transport mqtt, --mqtt-url (else PULSE_MQTT_URL, else the --url host on 1883) and --mqtt-window', () => {
    expect(
      parse(['--transport', 'mqtt', '--mqtt-url', 'mqtt://broker:1884', '--mqtt-window', '8']),
    ).toMatchObject({ transport: 'mqtt', mqttUrl: 'mqtt://broker:1884', mqttWindow: 8 });
    expect(parse(['--url', 'wss://pulse.example/ws']).mqttUrl).toBe('mqtt://pulse.example:1883');
    expect(parse([], { PULSE_MQTT_URL: 'ws://gw:8080/mqtt' }).mqttUrl).toBe('ws://gw:8080/mqtt');
  });

  it('recognises --help / -h', () => {
    expect(parse(['-h']).help).toBe(true);
    expect(parse(['--help', '--devices', '0', '--symbols', '0']).help).toBe(true);
  });

  it.each([
    [['--bogus'], /unknown option '--bogus'/i],
    [['--devices'], /argument missing/i],
    [['extra'], /unexpected argument 'extra'/i],
    [['--devices', 'ten'], /--devices must be an integer, got "ten"/],
    [['--devices', '2.5'], /--devices must be an integer/],
    [['--devices=-1'], /--devices must be >= 0/],
    [['--devices', '-1'], /argument is ambiguous/],
    [['--devices', ''], /--devices must be an integer/],
    [['--hz', '0'], /--hz must be > 0 and <= 100, got 0/],
    [['--tick-hz', 'fast'], /--tick-hz must be a number/],
    [['--dropout', '1.5'], /--dropout must be >= 0 and <= 1/],
    [['--ack-ratio=-0.1'], /--ack-ratio must be >= 0 and <= 1/],
    [['--duration=-5'], /--duration must be >= 0/],
    [['--seed', 'abc'], /--seed must be an integer/],
    [['--codec', 'xml'], /--codec must be json or msgpack, got "xml"/],
    [['--url', 'http://gw.example:9000/ws'], /--url must start with ws:\/\/ or wss:\/\//],
    [['--url', 'not a url'], /--url is not a URL/],
    [['--devices', '0', '--symbols', '0'], /nothing to simulate/],
    [['--transport', 'udp'], /--transport must be ws or mqtt, got "udp"/],
    [['--mqtt-url', 'http://broker'], /--mqtt-url must start with mqtt:\/\//],
    [['--mqtt-window', '0'], /--mqtt-window must be >= 1/],
  ])('rejects %j with a clear message', (argv, message) => {
    expect(() => parse(argv)).toThrow(FlagError);
    expect(() => parse(argv)).toThrow(message);
  });
});
