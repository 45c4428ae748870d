import { describe, expect, it } from 'vitest';
import { reading } from '../fixtures.js';
import { startGateway, TEST_SECRET, type GatewayResource } from '../gateway-resource.js';
import { HeldBus } from '../held-bus.js';
import { watch } from './mqtt-client.js';

/**
 * The simulator's MQTT link (`apps/simulator/src/mqtt-link.ts`) against the real gateway. It is
 * loaded at run time: the simulator is another package, outside this one's TypeScript root, so
 * the slice used here is typed locally.
 */
interface Rejection {
  code: string;
  retryAfterMs?: number;
}
interface Link {
  publish(topic: string, payload: unknown): void;
  publishAcked(topic: string, payload: unknown, key: string): Promise<unknown>;
  close(): void;
}
interface Events {
  onStatus(e: { status: string; closeReason?: string | undefined }): void;
  onError(frame: Rejection): void;
  onNotice(notice: { code: string }): void;
}
type Opener = (role: 'device', sub: string, events: Events) => Link;
interface SimModules {
  createMqttOpener(o: { mqttUrl: string; tokens: unknown; window?: number }): Opener;
  createTokenSource(o: { url: string; secret: string }): unknown;
  parseFlags(argv: string[]): { mqttUrl: string; mqttWindow: number };
  Simulation: new (
    config: unknown,
    deps: { open: Opener },
  ) => {
    start(): void;
    stop(): void;
    stats: { sent: number; acked: number; rejectedTotal: number };
    gauges(): { devicesConnected: number };
  };
}

async function simulator(): Promise<SimModules> {
  const src = new URL('../../../simulator/src/', import.meta.url);
  const modules = await Promise.all(
    ['mqtt-link.ts', 'tokens.ts', 'flags.ts', 'simulation.ts'].map(
      (file) => import(new URL(file, src).href) as Promise<Partial<SimModules>>,
    ),
  );
  return Object.assign({}, ...modules) as SimModules;
}

/** A device over the simulator's link, once connected; notices and errors recorded. */
async function device(gw: GatewayResource, sub: string, window?: number) {
  const sim = await simulator();
  const open = sim.createMqttOpener({
    mqttUrl: gw.mqttUrl,
    tokens: sim.createTokenSource({ url: gw.wsUrl, secret: TEST_SECRET }),
    ...(window === undefined ? {} : { window }),
  });
  const notices: string[] = [];
  const errors: Rejection[] = [];
  let connected!: () => void;
  const up = new Promise<void>((resolve) => (connected = resolve));
  const link = open('device', sub, {
    onStatus: (e) => e.status === 'connected' && connected(),
    onError: (frame) => errors.push(frame),
    onNotice: (n) => notices.push(n.code),
  });
  await up;
  return { link, notices, errors, [Symbol.dispose]: () => link.close() };
}

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('publish was acknowledged');
    },
    (r: Rejection) => r,
  );

describe('simulator over MQTT (--transport mqtt) against the gateway', () => {
  it('publishes QoS 1 with the device token as password: acked once stored, subscribers get it', async () => {
    await using gw = await startGateway();
    await using op = await watch(gw, 'device.dev-001.temperature');
    using dev = await device(gw, 'dev-001');
    await dev.link.publishAcked('device.dev-001.temperature', reading(1), 'k1');
    dev.link.publish('device.dev-001.temperature', reading(2));
    const got = await op.messages(2);
    expect(got.map((m) => m.payload)).toEqual([reading(1), reading(2)]);
  });

  it('reads refusals from the PUBACK reason: FORBIDDEN, and RATE_LIMITED with retryAfterMs', async () => {
    await using gw = await startGateway({ PUBLISH_LIMITS: 'device=1/1' });
    using dev = await device(gw, 'dev-001');
    expect(
      await rejection(dev.link.publishAcked('device.dev-002.temperature', reading(1), 'a')),
    ).toMatchObject({ code: 'FORBIDDEN' });
    await dev.link.publishAcked('device.dev-001.temperature', reading(1), 'b');
    const limited = await rejection(
      dev.link.publishAcked('device.dev-001.temperature', reading(2), 'c'),
    );
    expect(limited.code).toBe('RATE_LIMITED');
    expect(limited.retryAfterMs).toBeGreaterThan(0);
  });

  it('bounds publishes awaiting PUBACK: past the window a send is refused and the device told to slow down', async () => {
    let bus: HeldBus | undefined;
    await using gw = await startGateway({}, { bus: (c) => (bus = new HeldBus(c.historySize)) });
    using dev = await device(gw, 'dev-001', 3);
    const pending = [1, 2, 3].map((i) =>
      dev.link.publishAcked('device.dev-001.temperature', reading(i), `k${i}`),
    );
    expect(
      await rejection(dev.link.publishAcked('device.dev-001.temperature', reading(4), 'k4')),
    ).toEqual({ code: 'MQTT_WINDOW_FULL' });
    expect(dev.notices).toEqual(['SLOW_DOWN']);
    bus!.release();
    await Promise.all(pending);
    // The window has room again once the gateway acknowledged.
    await dev.link.publishAcked('device.dev-001.temperature', reading(5), 'k5');
  });

  it('runs the simulated fleet over MQTT: every device connects and its streams are stored', async () => {
    await using gw = await startGateway();
    await using op = await watch(gw, 'device.*.temperature');
    const sim = await simulator();
    const flags = ['--transport', 'mqtt', '--mqtt-url', gw.mqttUrl, '--url', gw.wsUrl];
    const config = sim.parseFlags([...flags, '--devices', '3', '--symbols', '0', '--hz', '10']);
    const fleet = new sim.Simulation(
      { ...config, dropoutPerMinute: 0, ackRatio: 0.5 },
      {
        open: sim.createMqttOpener({
          mqttUrl: config.mqttUrl,
          tokens: sim.createTokenSource({ url: gw.wsUrl, secret: TEST_SECRET }),
          window: config.mqttWindow,
        }),
      },
    );
    fleet.start();
    try {
      const got = await op.messages(30);
      expect(new Set(got.map((m) => m.topic))).toEqual(
        new Set([
          'device.dev-001.temperature',
          'device.dev-002.temperature',
          'device.dev-003.temperature',
        ]),
      );
      expect(fleet.gauges().devicesConnected).toBe(3);
      expect(fleet.stats.rejectedTotal).toBe(0);
      expect(fleet.stats.acked).toBeGreaterThan(0);
    } finally {
      fleet.stop();
    }
  });
});
