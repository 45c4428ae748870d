import type { Aggregate, Codec, TopicMessage } from '@pulse/protocol';

/**
 * One stored message of a topic. It carries its encoded `message` frame per codec, made on
 * first use, so a publish is encoded once per codec however many subscribers receive it.
 */
export class BusMessage {
  private jsonFrame: Buffer | undefined;
  private msgpackFrame: Buffer | undefined;

  constructor(
    readonly topic: string,
    readonly seq: number,
    readonly epoch: string,
    readonly ts: number,
    readonly payload: unknown,
    /** Set on a message an aggregate throttle folded from several updates. */
    readonly agg?: Aggregate,
  ) {}

  toWire(): TopicMessage<unknown> {
    const { topic, seq, epoch, ts, payload, agg } = this;
    return agg
      ? { type: 'message', topic, seq, epoch, ts, payload, agg }
      : { type: 'message', topic, seq, epoch, ts, payload };
  }

  /** The frame bytes for `codec`; a Buffer so `ws` sends it without converting per socket. */
  frame(codec: Codec): Buffer {
    if (codec.binary) {
      return (this.msgpackFrame ??= toBuffer(codec.encode(this.toWire())));
    }
    return (this.jsonFrame ??= toBuffer(codec.encode(this.toWire())));
  }
}

function toBuffer(data: string | Uint8Array): Buffer {
  return typeof data === 'string'
    ? Buffer.from(data)
    : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
