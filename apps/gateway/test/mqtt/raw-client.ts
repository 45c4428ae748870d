import { createConnection, type Socket } from 'node:net';
import { generate, parser, type Packet } from 'mqtt-packet';
import type { Version } from './mqtt-client.js';

/**
 * A bare MQTT client on a TCP socket (mqtt-packet both ways), for what mqtt.js hides: every
 * reason code of a SUBACK, a peer that stops reading, a peer that goes silent or vanishes.
 */
export class RawMqtt {
  readonly packets: Packet[] = [];
  /** What the client's parser said of bytes the gateway sent that are not valid MQTT. */
  readonly invalid: string[] = [];
  readonly closed: Promise<void>;
  private waiters: (() => void)[] = [];
  private nextId = 1;

  private constructor(
    readonly socket: Socket,
    readonly version: Version,
  ) {
    const p = parser({ protocolVersion: version });
    p.on('packet', (packet: Packet) => {
      this.packets.push(packet);
      for (const wake of this.waiters.splice(0)) wake();
    });
    p.on('error', (err: Error) => {
      this.invalid.push(err.message);
      socket.destroy();
    });
    socket.on('data', (b: Buffer) => p.parse(b));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    void this.closed.then(() => {
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Connects and waits for an accepting CONNACK. */
  static async open(
    port: number,
    version: Version,
    token: string,
    extra: Record<string, unknown> = {},
  ): Promise<RawMqtt> {
    const socket = createConnection(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const c = new RawMqtt(socket, version);
    c.send({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: version,
      clean: true,
      clientId: `raw-${Math.random().toString(36).slice(2, 8)}`,
      keepalive: 0,
      username: 'x',
      password: Buffer.from(token),
      ...extra,
    } as Packet);
    const connack = await c.next('connack');
    if ((connack.reasonCode ?? connack.returnCode ?? 0) !== 0) throw new Error('refused');
    return c;
  }

  send(packet: Packet): void {
    this.socket.write(generate(packet, { protocolVersion: this.version }));
  }

  /** SUBSCRIBE; resolves with the SUBACK's code per filter. */
  async subscribe(filters: string[], options: { qos?: 0 | 1 | 2; rh?: number } = {}) {
    const messageId = this.nextId++;
    this.send({
      cmd: 'subscribe',
      messageId,
      subscriptions: filters.map((topic) => ({
        topic,
        qos: options.qos ?? 0,
        ...(this.version === 5 ? { nl: false, rap: false, rh: options.rh ?? 0 } : {}),
      })),
    } as Packet);
    const ack = await this.next('suback', (p) => p.messageId === messageId);
    return ack.granted as number[];
  }

  /** UNSUBSCRIBE; resolves with the UNSUBACK's codes (MQTT 5) or []. */
  async unsubscribe(filters: string[]): Promise<number[]> {
    const messageId = this.nextId++;
    this.send({ cmd: 'unsubscribe', messageId, unsubscriptions: filters });
    const ack = await this.next('unsuback', (p) => p.messageId === messageId);
    return ((ack as { granted?: number[] }).granted ?? []) as number[];
  }

  /** The first packet of `cmd` (matching `ok`) not yet taken; rejects if the socket closes. */
  async next<C extends Packet['cmd']>(
    cmd: C,
    ok: (p: Extract<Packet, { cmd: C }>) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<Extract<Packet, { cmd: C }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.packets.findIndex(
        (p) => p.cmd === cmd && ok(p as Extract<Packet, { cmd: C }>),
      );
      if (i !== -1) return this.packets.splice(i, 1)[0] as Extract<Packet, { cmd: C }>;
      if (this.socket.destroyed || Date.now() > deadline)
        throw new Error(`no ${cmd}; got ${this.packets.map((p) => p.cmd).join(',')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The PUBLISH packets received so far, as [topic, payload JSON, retain]. */
  publishes(): [string, unknown, boolean][] {
    return this.packets
      .filter((p) => p.cmd === 'publish')
      .map((p) => {
        const pub = p as Extract<Packet, { cmd: 'publish' }>;
        return [pub.topic, JSON.parse(pub.payload.toString()), pub.retain];
      });
  }

  /** Waits until `n` PUBLISH packets have arrived. */
  async publishCount(n: number, timeoutMs = 10_000): Promise<[string, unknown, boolean][]> {
    const deadline = Date.now() + timeoutMs;
    while (this.publishes().length < n) {
      if (this.socket.destroyed || Date.now() > deadline)
        throw new Error(`${this.publishes().length} of ${n} publishes`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.publishes();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.socket.destroy();
    await this.closed;
  }
}
