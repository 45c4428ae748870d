import type { ServerResponse } from 'node:http';
import { SINK_OPEN, type Sink } from '../client/sink.js';

const CLOSED = 3;
const DATA = Buffer.from('data: ');
const END = Buffer.from('\n\n');

/**
 * An SSE response seen as a `Sink`. Each frame becomes one event: `id:` (topic updates only)
 * and one `data:` line holding the very frame a JSON WebSocket would get (frames are single-
 * line JSON), so an already-encoded message is written as it is, never re-encoded. Its send
 * budget is the response's `writableLength`, measured against the same marks as a socket's.
 */
export class SseSink implements Sink {
  /** The close code and reason given by the gateway, if it ended the stream. */
  closeCode: number | undefined;
  closeReason = '';
  private state = SINK_OPEN;

  constructor(private readonly res: ServerResponse) {
    res.once('close', () => (this.state = CLOSED));
  }

  get readyState(): number {
    return this.state;
  }

  get bufferedAmount(): number {
    return this.res.writableLength;
  }

  send(frame: Buffer | string | Uint8Array): void {
    this.event(undefined, frame);
  }

  /** One event: an optional id, then the frame as its data. */
  event(id: string | undefined, frame: Buffer | string | Uint8Array): void {
    if (this.state !== SINK_OPEN) return;
    const res = this.res;
    res.cork();
    if (id !== undefined) res.write(`id: ${id}\n`);
    res.write(DATA);
    res.write(frame);
    res.write(END);
    res.uncork();
  }

  /** A comment line: keeps proxies from timing the stream out; EventSource ignores it. */
  comment(text: string): void {
    if (this.state === SINK_OPEN) this.res.write(`: ${text}\n\n`);
  }

  /**
   * SSE has no close codes, so the code travels in a last `close` event, then the response
   * ends. (EventSource reconnects after an end; a 401 on that reconnect stops it for good.)
   */
  close(code: number, reason: string): void {
    if (this.state !== SINK_OPEN) return;
    this.closeCode = code;
    this.closeReason = reason;
    this.res.write(`event: close\ndata: ${JSON.stringify({ code, reason })}\n\n`);
    this.state = 2; // closing: nothing more is written
    this.res.end();
  }

  terminate(): void {
    this.state = CLOSED;
    this.res.destroy();
  }

  // An SSE client sends nothing after its request: there is no reading to pause.
  pause(): void {}
  resume(): void {}
}
