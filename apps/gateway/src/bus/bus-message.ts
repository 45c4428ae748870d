import type { Codec, TopicMessage } from '@pulse/protocol';

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
  ) {}

  toWire(): TopicMessage<unknown> {
    return {
      type: 'message',
      topic: this.topic,
      seq: this.seq,
      epoch: this.epoch,
      ts: this.ts,
      payload: this.payload,
    };
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
