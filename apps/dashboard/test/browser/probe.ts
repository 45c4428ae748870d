import { createRequire } from 'node:module';
import { PulseClient, type SocketConstructor } from '@pulse/client';

// Node 20 has no global WebSocket; the simulator's `ws` is the one the real publishers use.
const simulatorRequire = createRequire(new URL('../../../simulator/package.json', import.meta.url));
const WebSocket = simulatorRequire('ws') as SocketConstructor;

/**
 * A device the test drives by hand: it publishes exactly the readings the test chooses, with
 * acknowledgements, and goes away when told, so the console can be checked against them.
 */
export class ProbeDevice implements AsyncDisposable {
  readonly client: PulseClient;

  constructor(
    gatewayUrl: string,
    readonly id: string,
  ) {
    this.client = new PulseClient({
      url: `${gatewayUrl.replace(/^http/, 'ws')}/ws`,
      WebSocket,
      token: async () => {
        const res = await fetch(`${gatewayUrl}/auth/dev-token?role=device&sub=${id}`);
        return ((await res.json()) as { token: string }).token;
      },
    });
    this.client.connect();
  }

  /** Publishes one reading (stamped `ts`, default now) and waits for the gateway to store it. */
  async publish(metric: string, value: number, unit = '°C', ts = Date.now()): Promise<number> {
    const ack = await this.client.publish(
      `device.${this.id}.${metric}`,
      { value, unit, ts },
      { ack: true },
    );
    return ack.seq;
  }

  /** Disconnects for good: the gateway announces the device offline. */
  close(): void {
    this.client.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}

/** A price feed the test drives by hand: exactly the ticks it chooses, acknowledged. */
export class ProbeFeed implements AsyncDisposable {
  readonly client: PulseClient;

  constructor(gatewayUrl: string, sub = 'probe-feed') {
    this.client = new PulseClient({
      url: `${gatewayUrl.replace(/^http/, 'ws')}/ws`,
      WebSocket,
      token: async () => {
        const res = await fetch(`${gatewayUrl}/auth/dev-token?role=feed&sub=${sub}`);
        return ((await res.json()) as { token: string }).token;
      },
    });
    this.client.connect();
  }

  /** Publishes one tick of `symbol` (stamped `ts`, default now) and waits for its ack. */
  async publish(symbol: string, last: number, ts = Date.now(), volume = 1): Promise<number> {
    const payload = { bid: last - 0.5, ask: last + 0.5, last, volume, ts };
    const ack = await this.client.publish(`price.${symbol}`, payload, { ack: true });
    return ack.seq;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.client.close();
  }
}
