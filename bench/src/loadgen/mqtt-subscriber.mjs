// One MQTT subscriber (Mosquitto alone has no WebSocket side): subscribes to MQTT topic filters,
// counts every message, measures publish-to-receive latency from the payload's `value`, and as a
// checker records each topic's `ts` counters (see mqtt-publisher.mjs), keyed by the Pulse topic.
import { now } from './clock.mjs';
import { connectMqtt } from './mqtt-publisher.mjs';
import { SeqRanges } from './seq-ranges.mjs';

export class MqttSubscriber {
  counts = [];
  lastSeq = new Map();
  seen = new Map();
  confirmed = 0;
  failed = 0;
  client = undefined;

  /**
   * @param {import('./tally.mjs').Tally} tally
   * @param {{transport: 'mqtt', mqttUrl: string, token?: string, filters: string[], checker?: boolean}} spec
   */
  constructor(tally, spec) {
    this.tally = tally;
    this.spec = spec;
  }

  get ws() {
    return undefined;
  }

  async connect(timeoutMs) {
    this.client = await connectMqtt(this.spec.mqttUrl, {
      token: this.spec.token,
      clientId: `bench-sub-${process.pid}-${Math.random().toString(36).slice(2)}`,
      timeoutMs,
    });
    this.client.on('message', (topic, payload) => this.onMessage(topic, payload));
  }

  async subscribe() {
    const granted = await this.client.subscribeAsync(this.spec.filters, { qos: 0 });
    for (const g of granted) {
      if (g.qos >= 0x80) this.failed++;
      else this.confirmed++;
    }
  }

  onMessage(mqttTopic, bytes) {
    const t = now();
    const tally = this.tally;
    tally.frames++;
    tally.deliveries++;
    tally.lastDeliveryAt = t;
    const topic = mqttTopic.replaceAll('/', '.');
    let p;
    try {
      p = JSON.parse(bytes.toString());
    } catch {
      tally.count(tally.errors, 'undecodable-mqtt-payload');
      return;
    }
    const w = tally.windowAt(t);
    if (w >= 0) {
      const win = tally.windows[w];
      win.frames++;
      win.deliveries++;
      this.counts[w] = (this.counts[w] ?? 0) + 1;
      if (typeof p.value === 'number') win.latency.recordMs(t - p.value);
    }
    if (this.spec.checker && typeof p.ts === 'number') {
      let seen = this.seen.get(topic);
      if (!seen) this.seen.set(topic, (seen = new SeqRanges()));
      seen.add(p.ts);
    }
  }

  pause() {
    this.client?.stream?.pause();
  }

  close() {
    this.client?.end(true);
  }
}
