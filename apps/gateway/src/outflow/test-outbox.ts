import { jsonCodec } from '@pulse/protocol';
import { BusMessage } from '../bus/bus-message.js';
import { Client } from '../client/client.js';
import { TokenBucket } from '../client/token-bucket.js';
import { loadConfig } from '../config/load-config.js';
import { Stats } from '../metrics/stats.js';
import { Outbox } from './outbox.js';
import { Outflow } from './outflow.js';

const bucket = () => new TokenBucket({ rate: 1, burst: 1 });

/**
 * A sink whose send buffer the test controls. While `stalled`, every frame sent stays in the
 * buffer (the peer reads nothing); `read(n)` lets the peer take `n` bytes.
 */
export function fakeSink() {
  const frames: string[] = [];
  const sink = {
    readyState: 1,
    bufferedAmount: 0,
    stalled: false,
    closedWith: undefined as number | undefined,
    send(data: Buffer | string | Uint8Array) {
      const text = typeof data === 'string' ? data : Buffer.from(data).toString();
      frames.push(text);
      if (this.stalled) this.bufferedAmount += Buffer.byteLength(text);
    },
    read(bytes: number) {
      this.bufferedAmount = Math.max(0, this.bufferedAmount - bytes);
    },
    close(code: number) {
      this.closedWith = code;
      this.readyState = 2;
    },
    terminate() {
      this.readyState = 3;
    },
    pause() {},
    resume() {},
  };
  return { sink, frames };
}

/** An outflow with small marks and one attached client on a fake sink. */
export function outboxSetup(env: Record<string, string> = {}) {
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: 'x'.repeat(32),
    SLOW_SOFT_BYTES: '1024',
    SLOW_HARD_BYTES: '65536',
    SLOW_MAX_MS: '100',
    BATCH_WINDOW_MS: '5',
    ...env,
  });
  const stats = new Stats();
  const outflow = new Outflow(config, stats);
  const { sink, frames } = fakeSink();
  const principal = { subject: 'op', role: 'operator' as const };
  const client = new Client('c1', sink, jsonCodec, principal, '127.0.0.1', bucket());
  const box = new Outbox(client, outflow);
  client.outbox = box;
  return { outflow, client, box, sink, frames, stats };
}

export const msg = (topic: string, seq: number) => new BusMessage(topic, seq, 'e', 0, { v: seq });

/** Every frame as a flat list: `topic#seq` per update, `type` (or `notice:CODE`) per other frame. */
export function flatten(frames: readonly string[]): string[] {
  const out: string[] = [];
  for (const f of frames) {
    const x = JSON.parse(f) as {
      type: string;
      code?: string;
      topic?: string;
      seq?: number;
      messages?: { topic: string; seq: number }[];
    };
    if (x.type === 'batch') for (const m of x.messages!) out.push(`${m.topic}#${m.seq}`);
    else if (x.type === 'message') out.push(`${x.topic}#${x.seq}`);
    else if (x.type === 'notice') out.push(`notice:${x.code}`);
    else out.push(x.type);
  }
  return out;
}
