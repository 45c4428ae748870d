import { generate, type Packet } from 'mqtt-packet';
import { RawMqtt } from '../mqtt/raw-client.js';
import type { Outcomes } from './fuzz-socket.js';
import type { Random } from './random.js';

/** SUBACK codes a hostile filter may earn (protocol §25.6); 0x80 is MQTT 3.1.1's only failure. */
export const DOCUMENTED_SUBACKS = new Set([0x00, 0x80, 0x87, 0x8f, 0x97, 0x9e]);
/** DISCONNECT reasons a hostile SUBSCRIBE may earn (§25.5): malformed, protocol, size, quota. */
export const DOCUMENTED_DISCONNECTS = new Set([0x81, 0x82, 0x95, 0x97]);

const NASTY = [
  '#',
  '+/#',
  'device/#',
  '$SYS/#',
  '$SYS/broker/load',
  '$share/pulse/device/+/+',
  '$share/g/price/+',
  'device/+/+',
  '+/d1/temperature',
  'device/d+/t',
  'device/d.1/t',
  'device/*/t',
  'price/',
  '/price/x',
  'price//x',
  'presence/+',
  'alarm/+/battery',
  'price/+',
];

function filter(r: Random): string {
  switch (r.int(0, 5)) {
    case 0:
      return r.pick(NASTY);
    case 1:
      return `price/${'x'.repeat(r.int(60, 3000))}`;
    case 2:
      return 'a/'.repeat(r.int(1, 500)) + 'b';
    case 3:
      return r.text(r.int(0, 40));
    case 4:
      return `price/S${r.int(0, 40)}`; // valid: the subscription budget and control rate
    default:
      return `device/${r.pick(['+', 'd1', 'é', '\u0000', ' '])}/${r.pick(['+', 't', '#'])}`;
  }
}

/** One hostile packet: a SUBSCRIBE or UNSUBSCRIBE of odd filters, or bytes that only look like one. */
function hostile(r: Random, version: 4 | 5, id: number): Buffer {
  const roll = r.next();
  if (roll < 0.1) {
    // A SUBSCRIBE fixed header over random bytes: bad lengths, QoS 3, truncated filters.
    const body = r.bytes(r.int(0, 60));
    return Buffer.concat([Buffer.from([r.pick([0x82, 0x80, 0x83, 0xa2]), body.length]), body]);
  }
  const filters = Array.from({ length: r.next() < 0.1 ? r.int(50, 300) : r.int(1, 4) }, () =>
    filter(r),
  );
  const packet: Packet =
    roll < 0.75
      ? {
          cmd: 'subscribe',
          messageId: id,
          subscriptions: filters.map((topic) => ({
            topic,
            qos: r.pick([0, 1, 2] as const),
            ...(version === 5 ? { nl: r.next() < 0.5, rap: false, rh: r.int(0, 2) } : {}),
          })),
        }
      : { cmd: 'unsubscribe', messageId: id, unsubscriptions: filters };
  try {
    return generate(packet, { protocolVersion: version });
  } catch {
    return generate({ cmd: 'pingreq' }); // a filter mqtt-packet will not even write
  }
}

/**
 * Hostile SUBSCRIBE and UNSUBSCRIBE packets over MQTT (3.1.1 and 5), reconnecting whenever the
 * gateway ends the connection. Every SUBACK code and DISCONNECT reason seen is counted in
 * `replies`; packets are counted and dropped, so the test's own heap stays flat.
 */
export async function mqttSubscribeLane(
  port: number,
  token: string,
  count: number,
  outcomes: Outcomes,
  r: Random,
): Promise<void> {
  let id = 0;
  while (outcomes.sent < count) {
    const version = r.next() < 0.5 ? 4 : 5;
    const c = await RawMqtt.open(port, version, token);
    while (!c.socket.destroyed && outcomes.sent < count) {
      for (let i = 0; i < 50 && outcomes.sent < count; i++) {
        id = (id % 65_535) + 1;
        c.socket.write(hostile(r, version, id));
        outcomes.sent += 1;
      }
      c.send({ cmd: 'pingreq' });
      await c.next('pingresp', () => true, 5000).catch(() => c.socket.destroy());
      tally(c, outcomes);
    }
    await c.closed;
    tally(c, outcomes);
    for (const message of c.invalid) outcomes.add(outcomes.replies, `invalid packet: ${message}`);
    outcomes.add(outcomes.replies, `v${version} connections`);
  }
}

function tally(c: RawMqtt, outcomes: Outcomes): void {
  for (const p of c.packets.splice(0)) {
    if (p.cmd === 'suback')
      for (const code of p.granted as number[]) outcomes.add(outcomes.replies, `suback ${code}`);
    else if (p.cmd === 'disconnect')
      outcomes.add(outcomes.replies, `disconnect ${p.reasonCode ?? 0}`);
    else if (p.cmd === 'unsuback') outcomes.add(outcomes.replies, 'unsuback');
  }
}
