// One publisher connection. `paced`: sends at a fixed rate, in bursts on a shared 10 ms tick,
// spreading messages round-robin over its topics. `pipelined`: sends as fast as the server
// acknowledges, keeping up to `window` publishes in flight. Each payload carries its send time
// (sensor `value` or price `last`), which is what subscribers subtract from their receive time.
// `prefill`: before pacing starts, `prefill` messages per topic as fast as the server reads
// them, so the topics' history is full when the measurement begins (pacing then starts afresh).
import { now } from './clock.mjs';
import { SeqRanges } from './seq-ranges.mjs';
import { decodeFrame, openSocket } from './socket.mjs';

/** Above this much unsent data on our own socket, skip sends rather than queue without bound. */
const SEND_BUFFER_CAP = 4 * 1024 * 1024;
/** Prefill sends wait (not skip) above this: the backlog belongs in the server, not here. */
const PREFILL_BUFFER_CAP = 256 * 1024;

/** A publish frame with the send time `t` in the payload (text built by hand: it is per message). */
function publishFrame(kind, topic, id, t) {
  const ms = Math.floor(t);
  const payload =
    kind === 'price'
      ? `{"bid":1,"ask":2,"last":${t},"volume":1,"ts":${ms}}`
      : `{"value":${t},"unit":"ms","ts":${ms}}`;
  return id === 0
    ? `{"type":"publish","topic":"${topic}","payload":${payload}}`
    : `{"type":"publish","id":${id},"topic":"${topic}","payload":${payload}}`;
}

export class Publisher {
  /** Publishes due by the schedule (paced) */
  scheduled = 0;
  sent = 0;
  /** Due but not sent because our own socket buffer was full (the server stopped reading). */
  skipped = 0;
  acked = 0;
  rejected = 0;
  /** Highest id acknowledged or refused: everything sent before it is settled. */
  settledThrough = 0;
  /** topic → acknowledged seqs */
  ackedSeqs = new Map();
  /** topic → highest acknowledged seq */
  lastAcked = new Map();
  running = false;
  ws = undefined;
  rr = 0;
  /** id → [send time, window index] of publishes awaiting their ack (for ack latency). */
  inflight = new Map();
  /** Prefill messages still to send, and when the last was sent (wall-clock ms). */
  prefillLeft = 0;
  prefillDoneAt = undefined;

  /**
   * @param {import('./tally.mjs').Tally} tally
   * @param {{token: string, topics: string[], kind: 'device' | 'price', mode: 'paced' | 'pipelined',
   *   rate?: number, window?: number, ackEvery?: number, ackLast?: boolean, recordAcks?: boolean,
   *   prefill?: number}} spec
   * @param {{url: string, subprotocol: string}} target
   */
  constructor(tally, spec, target) {
    this.tally = tally;
    this.spec = spec;
    this.target = target;
    this.ackEvery = spec.ackEvery ?? 0;
  }

  async connect(timeoutMs) {
    const url = `${this.target.url}?token=${encodeURIComponent(this.spec.token)}`;
    this.ws = await openSocket(url, this.target.subprotocol, { timeoutMs });
    this.ws.on('message', (data) => this.onFrame(data));
    this.ws.on('close', (code) => {
      this.running = false;
      this.tally.count(this.tally.closes, `publisher:${code}`);
    });
  }

  start(startAt, stopAt) {
    this.startAt = startAt;
    this.stopAt = stopAt;
    // A publisher that failed to connect (counted at setup) sits the run out.
    this.running = this.ws?.readyState === 1;
    this.prefillLeft = (this.spec.prefill ?? 0) * this.spec.topics.length;
  }

  /** Paced mode: called every tick; sends what the schedule says is due by now. */
  tick(t) {
    if (!this.running || t < this.startAt) return;
    if (t >= this.stopAt) return this.finish();
    if (this.prefillLeft > 0) return this.prefill(t);
    if (this.spec.mode === 'pipelined') return this.fill(t);
    const due = Math.floor(((t - this.startAt) / 1000) * this.spec.rate) - this.scheduled;
    if (due <= 0) return;
    this.scheduled += due;
    const w = this.tally.windowAt(t);
    for (let i = 0; i < due; i++) {
      if (this.ws.bufferedAmount > SEND_BUFFER_CAP) {
        this.skipped += due - i;
        return;
      }
      this.send(now(), w);
    }
  }

  /** Sends prefill messages while the server keeps reading; pacing starts once they are out. */
  prefill(t) {
    const w = this.tally.windowAt(t);
    while (this.prefillLeft > 0 && this.ws.bufferedAmount < PREFILL_BUFFER_CAP) {
      this.prefillLeft--;
      this.send(now(), w);
    }
    if (this.prefillLeft > 0) return;
    this.prefillDoneAt = now();
    this.startAt = this.prefillDoneAt;
  }

  /** Pipelined mode: tops the in-flight window up. */
  fill(t) {
    if (!this.running) return;
    if (t >= this.stopAt) return this.finish();
    const window = this.spec.window ?? 256;
    const w = this.tally.windowAt(t);
    while (this.sent - this.settledThrough < window && this.ws.bufferedAmount < SEND_BUFFER_CAP) {
      this.send(now(), w);
    }
  }

  send(t, w) {
    const topics = this.spec.topics;
    const topic = topics[this.rr++ % topics.length];
    this.sent++;
    const id = this.ackEvery > 0 && this.sent % this.ackEvery === 0 ? this.sent : 0;
    this.ws.send(publishFrame(this.spec.kind, topic, id, t));
    if (w >= 0) this.tally.windows[w].publishes++;
    if (id !== 0 && w >= 0) this.inflight.set(id, [t, w]);
  }

  /** Stops; with `ackLast`, one final acknowledged publish per topic says which seq is the latest. */
  finish() {
    if (!this.running) return;
    this.running = false;
    if (this.spec.ackLast && this.ws.readyState === 1) {
      for (const topic of this.spec.topics) {
        this.sent++;
        this.ws.send(publishFrame(this.spec.kind, topic, this.sent, now()));
      }
    }
  }

  onFrame(data) {
    let msg;
    try {
      msg = decodeFrame(data);
    } catch {
      return;
    }
    switch (msg.type) {
      case 'ack': {
        this.acked++;
        if (msg.id > this.settledThrough) this.settledThrough = msg.id;
        const t = now();
        const w = this.tally.windowAt(t);
        if (w >= 0) this.tally.windows[w].acks++;
        const sent = this.inflight.get(msg.id);
        if (sent) {
          this.inflight.delete(msg.id);
          this.tally.windows[sent[1]].ackLatency.recordMs(t - sent[0]);
        }
        if (!((this.lastAcked.get(msg.topic) ?? 0) >= msg.seq))
          this.lastAcked.set(msg.topic, msg.seq);
        if (this.spec.recordAcks) {
          let r = this.ackedSeqs.get(msg.topic);
          if (!r) this.ackedSeqs.set(msg.topic, (r = new SeqRanges()));
          r.add(msg.seq);
        }
        if (this.spec.mode === 'pipelined') {
          const window = this.spec.window ?? 256;
          if (this.sent - this.settledThrough <= window / 2) this.fill(t);
        }
        break;
      }
      case 'error':
        this.rejected++;
        this.tally.count(this.tally.errors, `publish:${msg.code ?? 'unknown'}`);
        if (msg.ref !== undefined && msg.ref > this.settledThrough) this.settledThrough = msg.ref;
        this.inflight.delete(msg.ref);
        break;
      case 'notice':
        this.tally.count(this.tally.notices, msg.code ?? 'unknown');
        break;
      case 'ping':
        this.ws.send(msg.ts === undefined ? '{"type":"pong"}' : `{"type":"pong","ts":${msg.ts}}`);
        break;
      default:
        break;
    }
  }

  toJSON() {
    return {
      topics: this.spec.topics.length,
      scheduled: this.scheduled,
      sent: this.sent,
      skipped: this.skipped,
      acked: this.acked,
      rejected: this.rejected,
      ...(this.spec.prefill ? { prefillDoneAt: this.prefillDoneAt ?? null } : {}),
      lastAcked: Object.fromEntries(this.lastAcked),
      ...(this.spec.recordAcks
        ? { ackedSeqs: Object.fromEntries([...this.ackedSeqs].map(([k, v]) => [k, v.toJSON()])) }
        : {}),
    };
  }

  close() {
    try {
      this.ws?.terminate();
    } catch {
      // already gone
    }
  }
}
