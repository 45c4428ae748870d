// One MQTT publisher connection (the `mqtt` client package, MQTT 5 like the simulator), with the
// WebSocket publisher's modes: `paced` (bursts on the shared 10 ms tick) and `pipelined` (QoS 1:
// up to `window` publishes awaiting their PUBACK, refilled as they come; QoS 0: as fast as the
// socket takes them, up to a bounded amount of unsent bytes). PUBACK carries no sequence, so each
// payload's `ts` is a per-topic counter (1, 2, 3 …) and `value` the send time: a checker records
// the counters it received, and every PUBACKed counter must be among them.
import mqtt from 'mqtt';
import { now } from './clock.mjs';
import { SeqRanges } from './seq-ranges.mjs';

/** Above this much unsent data on our own socket, skip sends rather than queue without bound. */
const SEND_BUFFER_CAP = 4 * 1024 * 1024;
/** QoS 0 has no acknowledgement to pace on: keep at most this much written and unsent. */
const QOS0_UNSENT_CAP = 256 * 1024;

/** `device.a.b` → `device/a/b` (the gateway's topic mapping, protocol §25). */
export const mqttTopicOf = (topic) => topic.replaceAll('.', '/');

/** Connects an MQTT client; resolves once CONNACK accepted it. */
export function connectMqtt(url, { token, clientId, timeoutMs }) {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, {
      protocolVersion: 5,
      clientId,
      clean: true,
      keepalive: 60,
      reconnectPeriod: 0,
      connectTimeout: timeoutMs,
      ...(token ? { username: 'bench', password: token } : {}),
    });
    const timer = setTimeout(() => {
      client.end(true);
      reject(new Error('mqtt connect timed out'));
    }, timeoutMs);
    client.once('connect', () => {
      clearTimeout(timer);
      resolve(client);
    });
    client.once('error', (err) => {
      clearTimeout(timer);
      client.end(true);
      reject(err);
    });
  });
}

let clientIds = 0;

export class MqttPublisher {
  scheduled = 0;
  sent = 0;
  skipped = 0;
  acked = 0;
  rejected = 0;
  /** Publishes sent at QoS 1 and not yet answered. */
  inflight = 0;
  /** topic → PUBACKed counters */
  ackedSeqs = new Map();
  running = false;
  client = undefined;
  rr = 0;

  /**
   * @param {import('./tally.mjs').Tally} tally
   * @param {{transport: 'mqtt', mqttUrl: string, token?: string, topics: string[], qos: 0 | 1,
   *   mode: 'paced' | 'pipelined', rate?: number, window?: number, recordAcks?: boolean}} spec
   */
  constructor(tally, spec) {
    this.tally = tally;
    this.spec = spec;
    this.mqttTopics = spec.topics.map(mqttTopicOf);
    this.counters = spec.topics.map(() => 0);
  }

  async connect(timeoutMs) {
    this.client = await connectMqtt(this.spec.mqttUrl, {
      token: this.spec.token,
      clientId: `bench-${process.pid}-${++clientIds}`,
      timeoutMs,
    });
    this.client.on('close', () => {
      if (this.running) this.tally.count(this.tally.closes, 'mqtt-publisher');
      this.running = false;
    });
    this.client.on('error', (err) =>
      this.tally.count(this.tally.errors, `mqtt:${err.code ?? err.message}`),
    );
    // QoS 0 pipelining refills when the socket drains.
    this.client.stream.on('drain', () => this.running && this.fill(now()));
  }

  get ws() {
    return undefined;
  }

  start(startAt, stopAt) {
    this.startAt = startAt;
    this.stopAt = stopAt;
    this.running = Boolean(this.client?.connected);
  }

  unsent() {
    return this.client.stream.writableLength;
  }

  tick(t) {
    if (!this.running || t < this.startAt) return;
    if (t >= this.stopAt) return this.finish();
    if (this.spec.mode === 'pipelined') return this.fill(t);
    const due = Math.floor(((t - this.startAt) / 1000) * this.spec.rate) - this.scheduled;
    if (due <= 0) return;
    this.scheduled += due;
    const w = this.tally.windowAt(t);
    for (let i = 0; i < due; i++) {
      if (this.unsent() > SEND_BUFFER_CAP) {
        this.skipped += due - i;
        return;
      }
      this.send(now(), w);
    }
  }

  fill(t) {
    if (!this.running || t < this.startAt) return;
    if (t >= this.stopAt) return this.finish();
    const w = this.tally.windowAt(t);
    if (this.spec.qos === 0) {
      while (this.unsent() < QOS0_UNSENT_CAP) this.send(now(), w);
      return;
    }
    const window = this.spec.window ?? 256;
    while (this.inflight < window && this.unsent() < SEND_BUFFER_CAP) this.send(now(), w);
  }

  send(t, w) {
    const i = this.rr++ % this.mqttTopics.length;
    const n = ++this.counters[i];
    this.sent++;
    const payload = `{"value":${t},"unit":"ms","ts":${n}}`;
    if (w >= 0) this.tally.windows[w].publishes++;
    if (this.spec.qos === 0) {
      this.client.publish(this.mqttTopics[i], payload, { qos: 0 });
      return;
    }
    this.inflight++;
    this.client.publish(this.mqttTopics[i], payload, { qos: 1 }, (err) =>
      this.onPuback(err, i, n, t, w),
    );
  }

  onPuback(err, i, n, sentAt, sentWindow) {
    this.inflight--;
    if (err) {
      this.rejected++;
      this.tally.count(this.tally.errors, `puback:${err.code ?? err.message}`);
    } else {
      this.acked++;
      const t = now();
      const w = this.tally.windowAt(t);
      if (w >= 0) this.tally.windows[w].acks++;
      if (sentWindow >= 0) this.tally.windows[sentWindow].ackLatency.recordMs(t - sentAt);
      if (this.spec.recordAcks) {
        const topic = this.spec.topics[i];
        let r = this.ackedSeqs.get(topic);
        if (!r) this.ackedSeqs.set(topic, (r = new SeqRanges()));
        r.add(n);
      }
    }
    if (this.spec.mode === 'pipelined' && this.inflight <= (this.spec.window ?? 256) / 2)
      this.fill(now());
  }

  finish() {
    this.running = false;
  }

  toJSON() {
    return {
      transport: 'mqtt',
      qos: this.spec.qos,
      topics: this.spec.topics.length,
      scheduled: this.scheduled,
      sent: this.sent,
      skipped: this.skipped,
      acked: this.acked,
      rejected: this.rejected,
      ...(this.spec.recordAcks
        ? { ackedSeqs: Object.fromEntries([...this.ackedSeqs].map(([k, v]) => [k, v.toJSON()])) }
        : {}),
    };
  }

  close() {
    this.running = false;
    this.client?.end(true);
  }
}
