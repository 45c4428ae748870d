import fc from 'fast-check';
import { generate, parser as mqttParser, type Packet } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import type { PublishOutcome } from '../../src/ingest/publisher.js';
import {
  MqttConnection,
  type MqttServices,
  type MqttTransport,
} from '../../src/mqtt/mqtt-connection.js';

/**
 * The answer queue of `MqttConnection`: whatever order the bus finishes storing in, PUBACKs
 * leave in the order the publishes arrived, and none before its publish and every earlier one
 * were stored. The bus is the part whose timing varies, so the services here hand back a promise
 * per publish that the property settles in a generated order.
 */
describe('MQTT PUBACK order', () => {
  it('answers in arrival order, each only once it and everything before it is stored', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }).chain((n) =>
          fc.tuple(
            fc.constant(n),
            // The order the bus finishes in: a permutation of the publishes.
            fc.array(fc.double({ noNaN: true }), { minLength: n, maxLength: n }),
            fc.constantFrom<4 | 5>(4, 5),
          ),
        ),
        async ([n, keys, version]) => {
          const finishOrder = keys
            .map((k, i) => [k, i] as const)
            .sort((a, b) => a[0] - b[0] || a[1] - b[1])
            .map(([, i]) => i);
          const { conn, written, stored } = open();
          conn.feed(
            generate({
              cmd: 'connect',
              protocolId: 'MQTT',
              protocolVersion: version,
              clientId: 'c',
              clean: true,
              keepalive: 0,
              username: 'd1',
                password: Buffer.from('t'),
            } as Packet),
          );
          await tick();
          const ids = Array.from({ length: n }, (_, i) => i + 1);
          conn.feed(
            Buffer.concat(
              ids.map((messageId) =>
                generate(
                  {
                    cmd: 'publish',
                    topic: 'device/d1/temperature',
                    payload: Buffer.from('{"value":1,"unit":"C","ts":1}'),
                    qos: 1,
                    dup: false,
                    retain: false,
                    messageId,
                  },
                  { protocolVersion: version },
                ),
              ),
            ),
          );
          expect(stored.length).toBe(n);
          const done = new Set<number>();
          for (const i of finishOrder) {
            stored[i]!(i + 1);
            done.add(i);
            await tick();
            // The acknowledged are exactly the longest stored prefix, in arrival order.
            let prefix = 0;
            while (done.has(prefix)) prefix++;
            expect(pubacks(written, version)).toEqual(ids.slice(0, prefix));
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

const tick = () => new Promise((r) => setImmediate(r));

function open() {
  const written: Buffer[] = [];
  const stored: ((seq: number) => void)[] = [];
  const transport: MqttTransport = {
    remoteAddress: '127.0.0.1',
    open: true,
    bufferedAmount: 0,
    write: (bytes) => written.push(bytes),
    end: () => {},
    pause: () => {},
    resume: () => {},
  };
  const services: MqttServices = {
    maxPacketBytes: 1 << 20,
    connectTimeoutMs: 60_000,
    rateLimitAbuse: 1000,
    authenticate: async () => ({
      ok: true,
      principal: { subject: 'd1', role: 'device' } as never,
      release: () => {},
    }),
    publish: () => new Promise<PublishOutcome>((resolve) => stored.push(resolve)),
    opened: () => ({ subscribe: () => {}, unsubscribe: () => {} }),
    closed: () => {},
    refused: () => {},
  };
  const conn = new MqttConnection(transport, services);
  return { conn, written, stored };
}

/** Message ids of the successful PUBACKs written so far, in order. */
function pubacks(written: Buffer[], version: 4 | 5): number[] {
  const out: number[] = [];
  const p = mqttParser({ protocolVersion: version });
  p.on('packet', (packet: Packet) => {
    if (packet.cmd === 'puback' && !(packet.reasonCode ?? 0)) out.push(packet.messageId!);
  });
  for (const b of written) p.parse(b);
  return out;
}
