import {
  formatEventId,
  SUBPROTOCOL,
  topicMatches,
  type ResumePosition,
  type ServerMessage,
} from '@pulse/protocol';
import WebSocket from 'ws';
import { SseReader } from '../sse-reader.js';
import type { Baseline, ClientEvent } from './events.js';
import { TOPICS } from './ops.js';
import type { Position } from './truth.js';

/** What a client needs of the world: where the gateway is, tokens, and the bus as it is now. */
export interface Place {
  /** `ws+unix://…:/ws`: a Unix socket, whose small kernel buffers let a paused reader go slow. */
  readonly wsUrl: string;
  readonly httpUrl: string;
  readonly token: string;
  readonly historySize: number;
  /** The topic's latest position on the bus (undefined: the bus does not know it). */
  oracle(topic: string): Promise<Position | undefined>;
}

type Frame = ServerMessage;
const WAIT_MS = 10_000;

/**
 * One logical subscriber that lives across connections and transports, as a careful client
 * would: it keeps, per topic, the last position it received and resumes from it on every new
 * connection (since/epoch, positions, or Last-Event-ID). Everything it receives goes to
 * `events`, which the checker reads.
 */
export class ModelClient {
  readonly events: ClientEvent[] = [];
  /** Subscription → history asked. */
  readonly subs = new Map<string, number>();
  /** Subscriptions the gateway refused (UNAVAILABLE while Redis is away): asked again later. */
  readonly refused = new Set<string>();
  /** Last position received per topic. */
  readonly positions = new Map<string, Position>();
  /** Exact topics: the `subscribed` position, used to resume while nothing was received. */
  private readonly subscribedAt = new Map<string, Position>();
  transport: 'ws' | 'sse' = 'ws';
  ws: WebSocket | undefined;
  private sse: SseReader | undefined;
  private sseSeen = 0;
  private sseEnded = false;
  private wsClosed: Promise<void> | undefined;
  private nextId = 1;
  private readonly refs = new Map<number, string>();
  private wake: (() => void) | undefined;

  constructor(
    readonly id: number,
    private place: Place,
  ) {}

  get connected(): boolean {
    if (this.transport === 'ws') return this.ws !== undefined;
    return this.sse !== undefined && !this.sseEnded && !this.pull();
  }

  moveTo(place: Place): void {
    this.place = place;
  }

  /** Opens a connection on `transport` and (re)subscribes everything, resuming. */
  async connect(transport: 'ws' | 'sse'): Promise<void> {
    this.transport = transport;
    this.events.push({ k: 'open', transport, at: Date.now() });
    if (transport === 'ws') {
      await this.openWs();
      for (const [sub, history] of this.subs) await this.subscribeWs(sub, history);
    } else {
      await this.openSse();
    }
  }

  /** Ends the current connection and waits until nothing more can arrive on it. */
  async disconnect(abrupt: boolean): Promise<void> {
    if (this.ws) {
      const closed = this.wsClosed!;
      this.ws.resume();
      if (abrupt) this.ws.terminate();
      else this.ws.close();
      await closed;
    }
    if (this.sse) {
      const reader = this.sse;
      reader.close();
      await reader.ended;
      this.pull();
      if (this.sse === reader) this.closeSse(1000, 'client closed');
    }
  }

  /** Adds a subscription on the current connection (SSE: reopens the stream with it). */
  async subscribe(sub: string, history: number): Promise<void> {
    this.subs.set(sub, history);
    if (this.transport === 'ws') return this.subscribeWs(sub, history);
    await this.disconnect(false);
    await this.connect('sse');
  }

  /** Subscribes again what was refused (SSE: reopens the stream). */
  async retryRefused(): Promise<void> {
    const subs = [...this.refused];
    this.refused.clear();
    if (this.transport === 'sse') {
      await this.disconnect(false);
      return this.connect('sse');
    }
    for (const sub of subs) await this.subscribeWs(sub, this.subs.get(sub)!);
  }

  /** Resolves once `done` holds; throws (with the client's last events) after `ms`. */
  async until(done: () => boolean, what: string, ms = WAIT_MS): Promise<void> {
    const deadline = Date.now() + ms;
    const timeout = () =>
      new Error(
        `client ${this.id}: timed out waiting for ${what}; last events: ${JSON.stringify(this.events.slice(-6))}`,
      );
    if (this.sse) {
      const reader = this.sse;
      await reader
        .until(() => (this.pull(), done() || this.sse !== reader), ms)
        .catch(() => {
          throw timeout();
        });
      if (done()) return;
    }
    while (!done()) {
      if (Date.now() > deadline) throw timeout();
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, Math.min(100, ms));
      });
    }
  }

  /** Everything the gateway queued before now has arrived (WebSocket: a ping round trip). */
  async sync(): Promise<void> {
    const ws = this.ws;
    if (!ws) return;
    const ts = this.nextId++;
    let got = false;
    const before = this.events.length;
    this.onPong = (t) => (got ||= t === ts);
    ws.send(JSON.stringify({ type: 'ping', ts }));
    await this.until(() => got || this.ws !== ws, `pong ${ts} (after event ${before})`);
  }

  private onPong: (ts: number) => void = () => {};

  private async openWs(): Promise<void> {
    const url = `${this.place.wsUrl}?token=${encodeURIComponent(this.place.token)}`;
    const ws = new WebSocket(url, [SUBPROTOCOL.json]);
    this.wsClosed = new Promise((resolve) =>
      ws.once('close', (code, reason) => {
        if (this.ws === ws) {
          this.events.push({ k: 'close', code, reason: reason.toString() });
          this.ws = undefined;
        }
        resolve();
        this.wake?.();
      }),
    );
    ws.on('error', () => {});
    ws.on('message', (data: Buffer) => this.onFrame(JSON.parse(data.toString()) as Frame));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    this.ws = ws;
  }

  private async subscribeWs(sub: string, history: number): Promise<void> {
    const ws = this.ws;
    if (!ws) return;
    const id = this.nextId++;
    const { request, topics } = await this.resumeOf(sub, history);
    this.events.push({ k: 'subscribe', sub, history, topics });
    this.refs.set(id, sub);
    ws.send(JSON.stringify({ type: 'subscribe', id, topic: sub, ...request }));
    const at = this.events.length;
    await this.until(
      () => this.ws !== ws || this.events.slice(at).some((e) => 'sub' in e && e.sub === sub),
      `subscribed ${sub}`,
    );
    // The replay is queued before the pong: once it is here, the replay is too.
    await this.sync();
  }

  private async openSse(): Promise<void> {
    const notes: ClientEvent[] = [];
    const lastEventId = new Map<string, ResumePosition>();
    for (const [sub, history] of this.subs) {
      const { topics, listed } = await this.resumeOf(sub, 1);
      notes.push({ k: 'subscribe', sub, history, topics });
      for (const [t, p] of listed) lastEventId.set(t, p);
    }
    const params = new URLSearchParams({ topics: [...this.subs.keys()].join(','), history: '1' });
    params.set('token', this.place.token);
    const headers: Record<string, string> =
      lastEventId.size > 0 ? { 'last-event-id': formatEventId(lastEventId) } : {};
    this.events.push(...notes);
    this.sse = await SseReader.open(`${this.place.httpUrl}/sse?${params}`, headers);
    this.sseSeen = 0;
    this.sseEnded = false;
    const reader = this.sse;
    void reader.ended.then(() => {
      if (this.sse === reader) this.sseEnded = true;
    });
    const at = this.events.length;
    await this.until(
      () =>
        this.sse !== reader ||
        [...this.subs.keys()].every((s) =>
          this.events.slice(at).some((e) => 'sub' in e && e.sub === s),
        ),
      'subscribed on SSE',
    );
  }

  /** Takes the SSE events not yet seen into the log; true once the stream has closed. */
  private pull(): boolean {
    const reader = this.sse;
    if (!reader) return true;
    for (; this.sseSeen < reader.events.length; this.sseSeen++) {
      const e = reader.events[this.sseSeen]!;
      if (e.event === 'close') {
        const { code, reason } = JSON.parse(e.data) as { code: number; reason: string };
        this.closeSse(code, reason);
        return true;
      }
      this.onFrame(JSON.parse(e.data) as Frame);
    }
    if (this.sseEnded) {
      this.closeSse(1006, 'stream ended');
      return true;
    }
    return false;
  }

  private closeSse(code: number, reason: string): void {
    this.sse = undefined;
    this.events.push({ k: 'close', code, reason });
  }

  /** The resume this client sends for `sub`, and the model's note of what must follow. */
  private async resumeOf(
    sub: string,
    history: number,
  ): Promise<{
    request: Record<string, unknown>;
    topics: Baseline[];
    listed: Map<string, Position>;
  }> {
    const exact = !sub.includes('*');
    const listed = new Map<string, Position>();
    const topics: Baseline[] = [];
    for (const topic of TOPICS.filter((t) => topicMatches(sub, t))) {
      const from = this.positions.get(topic) ?? (exact ? this.subscribedAt.get(topic) : undefined);
      const bus = await this.place.oracle(topic);
      if (from) listed.set(topic, from);
      const held = bus ? Math.min(bus.seq, this.place.historySize) : 0;
      topics.push({
        topic,
        ...(from ? { resumeFrom: from } : {}),
        ...(bus ? { bus } : {}),
        replay: Math.min(history, held),
      });
    }
    let request: Record<string, unknown> = { history };
    if (exact && listed.size > 0) {
      const p = listed.get(sub)!;
      request = { since: p.seq, epoch: p.epoch };
    } else if (listed.size > 0) {
      request = { history, positions: Object.fromEntries(listed) };
    }
    return { request, topics, listed };
  }

  private onFrame(f: Frame): void {
    switch (f.type) {
      case 'message':
        this.receive(f);
        break;
      case 'batch':
        for (const m of f.messages) this.receive(m);
        break;
      case 'subscribed':
        this.refused.delete(f.topic);
        if (!f.topic.includes('*') && f.epoch !== undefined)
          this.subscribedAt.set(f.topic, { epoch: f.epoch, seq: f.seq ?? 0 });
        this.events.push({
          k: 'subscribed',
          sub: f.topic,
          ...(f.recovered === undefined ? {} : { recovered: f.recovered }),
          ...(f.epoch === undefined ? {} : { epoch: f.epoch, seq: f.seq! }),
        });
        break;
      case 'error': {
        const ref = f.ref === undefined ? undefined : this.refs.get(f.ref);
        const sub = ref ?? (f.topic && this.subs.has(f.topic) ? f.topic : undefined);
        if (sub) {
          this.events.push({ k: 'refused', sub, code: f.code });
          this.refused.add(sub);
        }
        break;
      }
      case 'notice':
        if (f.code === 'CONFLATED') this.events.push({ k: 'conflated', skipped: f.skipped ?? 0 });
        else if (f.code === 'EPOCH_CHANGED')
          this.events.push({ k: 'epochChanged', topic: f.topic!, epoch: f.epoch!, seq: f.seq! });
        else if (f.code === 'LOST')
          this.events.push({ k: 'lost', topic: f.topic!, epoch: f.epoch!, seq: f.seq! });
        break;
      case 'ping':
        this.ws?.send(JSON.stringify({ type: 'pong', ts: f.ts }));
        break;
      case 'pong':
        this.onPong(f.ts ?? 0);
        break;
      case 'welcome':
      case 'ack':
      case 'unsubscribed':
      case 'authenticated':
        break;
    }
    this.wake?.();
  }

  private receive(m: Extract<Frame, { type: 'message' }>): void {
    const p = m.payload as { value?: number; last?: number };
    const value = p.value ?? p.last ?? 0;
    this.events.push({ k: 'msg', topic: m.topic, epoch: m.epoch, seq: m.seq, value });
    this.positions.set(m.topic, { epoch: m.epoch, seq: m.seq });
  }
}
