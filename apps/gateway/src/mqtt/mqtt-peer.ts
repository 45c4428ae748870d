import { jsonCodec, type ServerMessage, type Transport } from '@pulse/protocol';
import type { Principal } from '../auth/claims.js';
import type { BusMessage } from '../bus/bus-message.js';
import { Client, type ErrorObserver, type Outbox } from '../client/client.js';
import type { TokenBucket } from '../client/token-bucket.js';
import type { MqttConnection } from './mqtt-connection.js';
import { MqttSink } from './mqtt-sink.js';
import { mqttTopicOf } from './topic-map.js';

/**
 * A message's payload as MQTT carries it: the family schema's JSON, nothing around it. Made once
 * per message for every MQTT subscriber (the WebSocket frame caches are per codec and hold the
 * whole `message` frame, not the bare payload).
 */
const payloads = new WeakMap<BusMessage, Buffer>();

function payloadOf(message: BusMessage): Buffer {
  let bytes = payloads.get(message);
  if (!bytes) {
    bytes = Buffer.from(JSON.stringify(message.payload));
    payloads.set(message, bytes);
  }
  return bytes;
}

/**
 * An MQTT connection as a subscriber: the fan-out, throttles and outflow treat it like any other
 * client (same registry, ACL, subscription budget, per-topic throttles, send budget and slow-
 * consumer close). What differs is the wire: each update is one QoS 0 PUBLISH whose payload is
 * the family JSON; messages replayed on subscribe (the topic's latest value) carry the retain
 * flag, live ones do not. Replies to the subscribe and unsubscribe requests made on its behalf
 * go to `onReply` (they become SUBACK / UNSUBACK); notices have no MQTT form.
 */
export class MqttPeer extends Client {
  /** Messages queued as a replay; a message object is the bus's own, shared by subscribers. */
  private readonly replayed = new WeakSet<BusMessage>();
  onReply: (message: ServerMessage) => void = () => {};

  constructor(
    id: string,
    private readonly conn: MqttConnection,
    principal: Principal,
    controlBucket: TokenBucket,
    onError?: ErrorObserver,
  ) {
    // The codec is only the outbox's measure of a replay page; MQTT bytes are made below.
    super(id, new MqttSink(conn), jsonCodec, principal, conn.remoteAddress, controlBucket, onError);
  }

  override get transport(): Transport {
    return 'mqtt';
  }

  /** Wraps the outbox the outflow gave this peer so replays are known as such (retain flag). */
  markReplays(): this {
    const box: Outbox = this.outbox;
    const replayed = this.replayed;
    this.outbox = {
      reply: (m) => box.reply(m),
      live: (m) => box.live(m),
      replay: (messages) => {
        for (const m of messages) replayed.add(m);
        box.replay(messages);
      },
      clear: () => box.clear(),
    };
    return this;
  }

  override send(message: ServerMessage): void {
    this.onReply(message);
    super.send(message);
  }

  override sendUpdates(_frame: Buffer, messages: readonly BusMessage[]): void {
    const conn = this.conn;
    for (let i = 0; i < messages.length && conn.isOpen; i++) {
      const m = messages[i]!;
      conn.write({
        cmd: 'publish',
        topic: mqttTopicOf(m.topic),
        payload: payloadOf(m),
        qos: 0,
        dup: false,
        retain: this.replayed.has(m),
      });
    }
  }
}
