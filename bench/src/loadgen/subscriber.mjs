// One subscriber connection: subscribes to its topics, answers heartbeats, and for every topic
// message (alone or inside a `batch` frame) counts it, measures publish-to-receive latency from
// the send time the publisher put in the payload, and tracks the last sequence per topic.
import { now } from './clock.mjs';
import { SeqRanges } from './seq-ranges.mjs';
import { decodeFrame, openSocket } from './socket.mjs';

export class Subscriber {
  /** Deliveries per window of the tally. */
  counts;
  /** topic → last seq received */
  lastSeq = new Map();
  /** topic → every seq received (checker subscribers only) */
  seen = new Map();
  confirmed = 0;
  failed = 0;
  ws = undefined;
  closeCode = undefined;

  /**
   * @param {import('./tally.mjs').Tally} tally
   * @param {{topics: string[], maxRate?: number, checker?: boolean, checkBy?: 'seq' | 'ts'}} spec
   * @param {{url: string, subprotocol: string, history: number | undefined}} target
   */
  constructor(tally, spec, target) {
    this.tally = tally;
    this.spec = spec;
    this.target = target;
    this.counts = [];
  }

  /** Opens the socket and starts listening. */
  async connect(timeoutMs) {
    this.ws = await openSocket(this.target.url, this.target.subprotocol, { timeoutMs });
    this.ws.on('message', (data) => this.onFrame(data));
    this.ws.on('close', (code) => {
      this.closeCode = code;
      this.tally.count(this.tally.closes, String(code));
    });
  }

  /** Subscribes to every topic; resolves when each is confirmed or refused, rejects on timeout. */
  subscribe(timeoutMs) {
    const { topics, maxRate } = this.spec;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.onSettled = undefined;
        reject(new Error(`subscribe timed out (${this.confirmed}/${topics.length} confirmed)`));
      }, timeoutMs);
      this.onSettled = () => {
        if (this.confirmed + this.failed < topics.length) return;
        clearTimeout(timer);
        this.onSettled = undefined;
        resolve();
      };
      topics.forEach((topic, i) => {
        const req = { type: 'subscribe', id: i + 1, topic };
        if (this.target.history !== undefined) req.history = this.target.history;
        if (maxRate !== undefined) req.maxRate = maxRate;
        this.ws.send(JSON.stringify(req));
      });
      this.onSettled();
    });
  }

  onFrame(data) {
    const t = now();
    let msg;
    try {
      msg = decodeFrame(data);
    } catch {
      this.tally.count(this.tally.errors, 'undecodable-frame');
      return;
    }
    const tally = this.tally;
    tally.frames++;
    switch (msg.type) {
      case 'message': {
        const w = tally.windowAt(t);
        if (w >= 0) tally.windows[w].frames++;
        this.onMessage(msg, t, w);
        break;
      }
      case 'batch': {
        const w = tally.windowAt(t);
        if (w >= 0) {
          tally.windows[w].frames++;
          tally.windows[w].batchFrames++;
        }
        for (const m of msg.messages) this.onMessage(m, t, w);
        break;
      }
      case 'ping':
        this.ws.send(msg.ts === undefined ? '{"type":"pong"}' : `{"type":"pong","ts":${msg.ts}}`);
        break;
      case 'subscribed':
        this.confirmed++;
        this.onSettled?.();
        break;
      case 'error':
        tally.count(tally.errors, msg.code ?? 'unknown');
        if (msg.ref !== undefined && this.onSettled) {
          this.failed++;
          this.onSettled();
        }
        break;
      case 'notice':
        tally.count(tally.notices, msg.code ?? 'unknown');
        break;
      default:
        break;
    }
  }

  onMessage(m, t, w) {
    const tally = this.tally;
    tally.deliveries++;
    tally.lastDeliveryAt = t;
    if (w >= 0) {
      const win = tally.windows[w];
      win.deliveries++;
      this.counts[w] = (this.counts[w] ?? 0) + 1;
      const p = m.payload;
      const sentAt = p?.value ?? p?.last;
      if (typeof sentAt === 'number') win.latency.recordMs(t - sentAt);
    }
    const last = this.lastSeq.get(m.topic);
    if (last !== undefined && m.seq <= last) tally.outOfOrder++;
    else this.lastSeq.set(m.topic, m.seq);
    if (this.spec.checker) {
      let seen = this.seen.get(m.topic);
      if (!seen) this.seen.set(m.topic, (seen = new SeqRanges()));
      // `ts`: MQTT publishers number their payloads per topic (PUBACK carries no seq).
      seen.add(this.spec.checkBy === 'ts' ? m.payload.ts : m.seq);
    }
  }

  close() {
    try {
      this.ws?.terminate();
    } catch {
      // already gone
    }
  }
}
