import WebSocket from 'ws';
import { SUBPROTOCOL } from '@pulse/protocol';

/**
 * Raw WebSocket clients for the rolling-restart test, with the reconnect-and-resume a real
 * client does but none of its duplicate filtering: whatever the gateways send is recorded, so
 * a duplicate or a gap the gateways cause shows up in the assertions.
 */

interface Frame {
  type: string;
  [k: string]: unknown;
}
interface TopicMessage {
  topic: string;
  seq: number;
  epoch: string;
}

/** A socket through the balancer that reconnects (bounded) whenever the server closes it. */
abstract class Reconnecting {
  ws: WebSocket | undefined;
  /** Close codes the server sent, in order (1012 for a drain). */
  readonly closes: number[] = [];
  /** When each new connection was usable again (welcome and, for operators, resubscribed). */
  readonly backAt: number[] = [];
  /** The serverId of each connection, in order. */
  readonly servers: string[] = [];
  private stopped = false;

  constructor(
    readonly url: string,
    readonly token: string,
  ) {}

  async start(): Promise<void> {
    await this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.ws?.close(1000);
  }

  protected send(frame: unknown): void {
    this.ws?.send(JSON.stringify(frame));
  }

  /** Called after `welcome`; resolves once the connection is in use again. */
  protected abstract ready(): Promise<void>;
  protected abstract onFrame(frame: Frame): void;

  /** Opens until one connection is welcomed (a draining gateway may refuse a few first). */
  private async connect(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      if (attempt > 200) throw new Error('could not reconnect through the balancer in 200 tries');
      const ok = await this.open().catch(() => false);
      if (ok) return;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  private open(): Promise<boolean> {
    const ws = new WebSocket(`${this.url}?token=${encodeURIComponent(this.token)}`, [
      SUBPROTOCOL.json,
    ]);
    return new Promise((resolve) => {
      let welcomed = false;
      ws.on('message', (data: Buffer) => {
        const frame = JSON.parse(data.toString()) as Frame;
        if (frame.type === 'ping') return ws.send(JSON.stringify({ type: 'pong', ts: frame.ts }));
        if (frame.type === 'welcome') {
          welcomed = true;
          this.ws = ws;
          this.servers.push(frame.serverId as string);
          void this.ready().then(() => {
            this.backAt.push(Date.now());
            resolve(true);
          });
          return;
        }
        this.onFrame(frame);
      });
      ws.once('error', () => resolve(false));
      ws.once('close', (code) => {
        if (!welcomed) return resolve(false);
        if (this.ws !== ws || this.stopped) return;
        this.closes.push(code);
        this.ws = undefined;
        this.onDisconnect();
        void this.connect();
      });
    });
  }

  protected onDisconnect(): void {}
}

/** Subscribes to `topics` from their start and resumes from the last seq seen per topic. */
export class ResumingOperator extends Reconnecting {
  /** Every topic message received, in arrival order, per topic. */
  readonly received = new Map<string, TopicMessage[]>();
  /** Anything that admits loss: `recovered: false`, a notice, an error. */
  readonly signals: string[] = [];
  private waiting = new Map<number, () => void>();
  private nextId = 1;

  constructor(
    url: string,
    token: string,
    readonly topics: readonly string[],
  ) {
    super(url, token);
    for (const t of topics) this.received.set(t, []);
  }

  protected async ready(): Promise<void> {
    await Promise.all(
      this.topics.map((topic) => {
        const id = this.nextId++;
        const last = this.received.get(topic)!.at(-1);
        const from = last ? { since: last.seq, epoch: last.epoch } : { history: 0 };
        this.send({ type: 'subscribe', id, topic, ...from });
        return new Promise<void>((r) => this.waiting.set(id, r));
      }),
    );
  }

  protected onFrame(frame: Frame): void {
    if (frame.type === 'subscribed') {
      if (frame.recovered === false) this.signals.push(`${frame.topic as string}: recovered false`);
      this.waiting.get(frame.id as number)?.();
    } else if (frame.type === 'message') this.record(frame as unknown as TopicMessage);
    else if (frame.type === 'batch')
      for (const m of frame.messages as TopicMessage[]) this.record(m);
    else if (frame.type === 'notice' && frame.code !== 'DRAINING')
      this.signals.push(`notice ${frame.code as string}`);
    else if (frame.type === 'error') this.signals.push(`error ${frame.code as string}`);
  }

  private record(m: TopicMessage): void {
    this.received.get(m.topic)?.push({ topic: m.topic, seq: m.seq, epoch: m.epoch });
  }
}

/**
 * Publishes `topic` one message at a time, each with an idempotency key; a publish whose
 * socket closed or that was refused is sent again with the same key until it is acked, so a
 * publish that was stored but whose ack was lost is answered with its first seq, not stored
 * twice (protocol §10.1).
 */
export class AckingPublisher extends Reconnecting {
  /** seq of every acked publish, by key. */
  readonly acked = new Map<string, number>();
  readonly refusals: string[] = [];
  private inFlight: { key: string; id: number; done: () => void } | undefined;
  private nextId = 1;
  private running = true;

  constructor(
    url: string,
    token: string,
    readonly topic: string,
  ) {
    super(url, token);
  }

  protected ready(): Promise<void> {
    if (this.inFlight) this.sendInFlight(); // resend after a reconnect, same key
    return Promise.resolve();
  }

  /** Publishes until `finish()`, one every `gapMs`; resolves once the last one is acked. */
  async run(gapMs: number): Promise<void> {
    for (let n = 1; this.running; n++) {
      const key = `${this.topic}-${n}`;
      await new Promise<void>((done) => {
        this.inFlight = { key, id: 0, done };
        this.sendInFlight();
      });
      await new Promise((r) => setTimeout(r, gapMs));
    }
  }

  finish(): void {
    this.running = false;
  }

  private sendInFlight(): void {
    const p = this.inFlight;
    if (!p || !this.ws) return;
    p.id = this.nextId++;
    const payload = { bid: 1, ask: 2, last: 1, volume: 1, ts: Date.now() };
    this.send({ type: 'publish', id: p.id, topic: this.topic, key: p.key, payload });
  }

  protected onFrame(frame: Frame): void {
    const p = this.inFlight;
    if (!p || frame.id !== p.id) return;
    if (frame.type === 'ack') {
      this.acked.set(p.key, frame.seq as number);
      this.inFlight = undefined;
      p.done();
    } else if (frame.type === 'error') {
      // UNAVAILABLE / OUTCOME_UNKNOWN: retry with the same key, shortly.
      this.refusals.push(frame.code as string);
      setTimeout(() => this.sendInFlight(), 50);
    }
  }
}
