import type { ServerMessage } from '@pulse/protocol';
import { expect } from 'vitest';

export interface SseEvent {
  readonly id?: string;
  readonly event: string;
  readonly data: string;
}

type TopicFrame = Extract<ServerMessage, { type: 'message' }>;

/**
 * A minimal SSE client over fetch that records events and comments, so tests see exactly what
 * the gateway writes (EventSource hides comments and ids of events without one).
 */
export class SseReader implements AsyncDisposable {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  /** The id EventSource would send back as Last-Event-ID. */
  lastEventId = '';
  readonly ended: Promise<void>;
  private arrived: (() => void) | undefined;

  private constructor(
    readonly response: Response,
    private readonly abort: AbortController,
  ) {
    this.ended = this.read().catch(() => {});
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
    const abort = new AbortController();
    const res = await fetch(url, { headers, signal: abort.signal });
    if (res.status !== 200) {
      const body = await res.text();
      throw new SseRefused(res.status, body);
    }
    return new SseReader(res, abort);
  }

  /** Parsed `data` of the plain (unnamed) events: the protocol's server frames. */
  get frames(): ServerMessage[] {
    return this.events
      .filter((e) => e.event === 'message')
      .map((e) => JSON.parse(e.data) as ServerMessage);
  }

  /** Topic messages so far, batches unpacked. */
  get messages(): TopicFrame[] {
    return this.frames.flatMap((f) =>
      f.type === 'message' ? [f] : f.type === 'batch' ? (f.messages as TopicFrame[]) : [],
    );
  }

  async until(done: (r: SseReader) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this)) {
      if (Date.now() > deadline)
        throw new Error(`timed out; events so far: ${JSON.stringify(this.events.slice(-5))}`);
      await this.arrival(deadline);
    }
  }

  /** Resolves when more of the stream arrives, or at the deadline. */
  private arrival(deadline: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.max(deadline - Date.now(), 0) + 1);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.arrived = done;
    });
  }

  /**
   * Exactly these messages and nothing more: waits for `expected.length` messages (`topic#seq`),
   * failing with a diff of expected vs received at the deadline, then for the next heartbeat
   * comment (`: ping`, every HEARTBEAT_MS: give the gateway a short one). The gateway writes the
   * stream in order, so what it had flushed before the comment has arrived by then; a replay's
   * duplicate is queued with the messages already seen, so it would be among them.
   */
  async exactly(expected: readonly string[], timeoutMs = 10_000): Promise<void> {
    const got = () => this.messages.map((m) => `${m.topic}#${m.seq}`);
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < expected.length) {
      if (Date.now() > deadline) expect(got(), `received within ${timeoutMs} ms`).toEqual(expected);
      await this.arrival(deadline);
    }
    const pings = this.comments.filter((c) => c.startsWith('ping')).length;
    await this.until(
      (r) => r.comments.filter((c) => c.startsWith('ping')).length > pings,
      Math.max(deadline - Date.now(), 1000),
    );
    expect(got(), 'received, then nothing more up to a heartbeat').toEqual(expected);
  }

  async frame<T extends ServerMessage['type']>(
    type: T,
  ): Promise<Extract<ServerMessage, { type: T }>> {
    await this.until((r) => r.frames.some((f) => f.type === type));
    return this.frames.find((f) => f.type === type) as Extract<ServerMessage, { type: T }>;
  }

  close(): void {
    this.abort.abort();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.ended;
  }

  private async read(): Promise<void> {
    const reader = this.response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let id: string | undefined;
    let event = 'message';
    let data: string[] = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) !== -1) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line === '') {
          if (data.length > 0) {
            if (id !== undefined) this.lastEventId = id;
            this.events.push({ ...(id === undefined ? {} : { id }), event, data: data.join('\n') });
          }
          id = undefined;
          event = 'message';
          data = [];
        } else if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
        else if (line.startsWith('id: ')) id = line.slice(4);
        else if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      this.arrived?.();
    }
  }
}

export class SseRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`SSE refused with HTTP ${status}: ${body}`);
  }

  get code(): string | undefined {
    try {
      return (JSON.parse(this.body) as { code?: string }).code;
    } catch {
      return undefined;
    }
  }
}
