// One operator opening a view: connects when told, subscribes to the view's patterns with their
// history, and checks each replay it asked for. A topic's replay is the gapless run of seqs
// that starts with the first message of that topic; it is complete once the run holds the
// `history` messages asked for (the topics' history holds more, the scenario makes sure).
// Live updates of a throttled subscription skip seqs, so they cannot complete a cut replay.
import { now, sleep } from './clock.mjs';
import { decodeFrame, openSocket } from './socket.mjs';

/**
 * @typedef {object} OperatorSpec
 * @property {{topic: string, history?: number, maxRate?: number, verify?: boolean}[]} subscriptions
 * @property {string[]} expectTopics concrete topics whose replays are checked (matching `verify` patterns)
 * @property {number} history        messages each checked topic's replay must hold
 * @property {number} [slowFirstMs]  stop reading for this long after subscribing (a busy tab)
 */

export class Operator {
  /** topic → {first, last, len, broken, at} of the run that started with its first message. */
  runs = new Map();
  messages = 0;
  frames = 0;
  outOfOrder = 0;
  subscribed = 0;
  refused = 0;
  errors = {};
  closeCode = undefined;
  complete = 0;
  startedAt = 0;
  connectedAt = 0;
  subscribedAt = 0;
  completeAt = 0;
  error = '';
  ws = undefined;

  /** @param {OperatorSpec} spec @param {{url: string, subprotocol: string}} target */
  constructor(spec, target) {
    this.spec = spec;
    this.target = target;
    this.expected = new Set(spec.expectTopics);
  }

  get done() {
    return this.completeAt > 0 || this.error !== '' || this.closeCode !== undefined;
  }

  /** Connects, subscribes and (if slow) pauses reading; resolves once the subscribes are sent. */
  async open(timeoutMs) {
    this.startedAt = now();
    try {
      this.ws = await openSocket(this.target.url, this.target.subprotocol, { timeoutMs });
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
      return;
    }
    this.connectedAt = now();
    this.ws.on('message', (data) => this.onFrame(data));
    this.ws.on('close', (code) => (this.closeCode ??= code));
    this.spec.subscriptions.forEach((s, i) => {
      const req = { type: 'subscribe', id: i + 1, topic: s.topic };
      if (s.history !== undefined) req.history = s.history;
      if (s.maxRate !== undefined) req.maxRate = s.maxRate;
      this.ws.send(JSON.stringify(req));
    });
    if (this.spec.slowFirstMs) {
      this.ws.pause();
      await sleep(this.spec.slowFirstMs);
      this.ws.resume();
    }
  }

  onFrame(data) {
    const t = now();
    let msg;
    try {
      msg = decodeFrame(data);
    } catch {
      this.count('undecodable-frame');
      return;
    }
    this.frames++;
    switch (msg.type) {
      case 'message':
        this.onMessage(msg, t);
        break;
      case 'batch':
        for (const m of msg.messages) this.onMessage(m, t);
        break;
      case 'subscribed':
        if (++this.subscribed + this.refused === this.spec.subscriptions.length)
          this.subscribedAt = t;
        break;
      case 'error':
        this.count(msg.code ?? 'unknown');
        if (msg.ref !== undefined) this.refused++;
        break;
      case 'notice':
        this.count(`notice:${msg.code ?? 'unknown'}`);
        break;
      case 'ping':
        this.ws.send(msg.ts === undefined ? '{"type":"pong"}' : `{"type":"pong","ts":${msg.ts}}`);
        break;
      default:
        break;
    }
  }

  onMessage(m, t) {
    this.messages++;
    if (!this.expected.has(m.topic)) return;
    const r = this.runs.get(m.topic);
    if (!r) {
      this.runs.set(m.topic, { first: m.seq, last: m.seq, len: 1, broken: false, at: 0 });
      return this.grew(this.runs.get(m.topic), t);
    }
    if (m.seq <= r.last) this.outOfOrder++;
    if (r.broken) return;
    if (m.seq === r.last + 1) {
      r.last = m.seq;
      r.len++;
      this.grew(r, t);
    } else r.broken = true;
  }

  grew(r, t) {
    if (r.len !== this.spec.history) return;
    r.at = t;
    if (++this.complete === this.expected.size) this.completeAt = t;
  }

  count(key) {
    this.errors[key] = (this.errors[key] ?? 0) + 1;
  }

  /** What the check found, as plain numbers (times in ms since this operator started connecting). */
  toJSON() {
    const since = (t) => (t > 0 ? Math.round(t - this.startedAt) : null);
    let missing = 0;
    let short = 0;
    let notFull = 0;
    let shortestRun = Infinity;
    for (const topic of this.expected) {
      const r = this.runs.get(topic);
      if (!r) missing++;
      else if (r.len < this.spec.history) {
        // A run that starts at seq 1 is the topic's whole history: it held fewer than asked.
        if (r.first === 1) notFull++;
        else short++;
        shortestRun = Math.min(shortestRun, r.len);
      }
    }
    return {
      slow: Boolean(this.spec.slowFirstMs),
      error: this.error,
      closeCode: this.closeCode ?? null,
      connectMs: since(this.connectedAt),
      subscribedMs: since(this.subscribedAt),
      completeMs: since(this.completeAt),
      topics: this.expected.size,
      complete: this.complete,
      missing,
      short,
      notFull,
      shortestRun: Number.isFinite(shortestRun) ? shortestRun : null,
      messages: this.messages,
      frames: this.frames,
      outOfOrder: this.outOfOrder,
      errors: this.errors,
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
