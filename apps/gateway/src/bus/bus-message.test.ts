import { jsonCodec, msgpackCodec } from '@pulse/protocol';
import { describe, expect, it } from 'vitest';
import { BusMessage } from './bus-message.js';

describe('BusMessage from an encoded JSON frame', () => {
  const wire = {
    type: 'message',
    topic: 'price.X',
    seq: 7,
    epoch: 'e1',
    ts: 5,
    payload: { last: 2 },
  };
  const frame = Buffer.from(JSON.stringify(wire));

  it('sends the very bytes to JSON sockets and decodes only for another codec', () => {
    const m = BusMessage.fromJsonFrame('price.X', 7, 'e1', 5, frame);
    expect(m.frame(jsonCodec)).toBe(frame);
    expect(msgpackCodec.decode(m.frame(msgpackCodec))).toEqual(wire);
    expect(m.payload).toEqual({ last: 2 });
  });

  it('encodes like a message built from its payload', () => {
    const built = new BusMessage('price.X', 7, 'e1', 5, { last: 2 });
    expect(built.frame(jsonCodec).equals(frame)).toBe(true);
  });
});
