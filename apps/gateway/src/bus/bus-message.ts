import type { Aggregate, Codec, TopicMessage } from '@pulse/protocol';

/** Marks a payload that is still inside the JSON frame it arrived in. */
const ENCODED = Symbol('encoded');

/**
 * One stored message of a topic. It carries its encoded `message` frame per codec, made on
 * first use, so a publish is encoded once per codec however many subscribers receive it.
 */
export class BusMessage {
  private jsonFrame: Buffer | undefined;
  private msgpackFrame: Buffer | undefined;
  private value: unknown;

  constructor(
    readonly topic: string,
    readonly seq: number,
    readonly epoch: string,
    readonly ts: number,
    payload: unknown,
    /** Set on a message an aggregate throttle folded from several updates. */
    readonly agg?: Aggregate,
  ) {
    this.value = payload;
  }

  /**
   * A message that arrived as its JSON frame (from Redis): JSON sockets get these bytes as they
   * are; the payload is parsed only if another codec needs it.
   */
  static fromJsonFrame(
    topic: string,
    seq: number,
    epoch: string,
    ts: number,
    frame: Buffer,
  ): BusMessage {
    const message = new BusMessage(topic, seq, epoch, ts, ENCODED);
    message.jsonFrame = frame;
    return message;
  }

  get payload(): unknown {
    if (this.value === ENCODED) {
      this.value = (JSON.parse(this.jsonFrame!.toString('utf8')) as { payload: unknown }).payload;
    }
    return this.value;
  }

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
