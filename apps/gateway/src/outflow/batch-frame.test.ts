import { jsonCodec, msgpackCodec } from '@pulse/protocol';
import { describe, expect, it } from 'vitest';
import { BusMessage } from '../bus/bus-message.js';
import { batchFrame } from './batch-frame.js';

describe('batchFrame', () => {
  for (const codec of [jsonCodec, msgpackCodec]) {
    it.each([1, 2, 15, 16, 1000])(
      `${codec.name}: splices %i encoded messages into a batch that decodes as one`,
      (n) => {
        const messages = Array.from(
          { length: n },
          (_, i) => new BusMessage('price.X', i + 1, 'e', 1, { last: i }),
        );
        const frame = batchFrame(
          codec,
          messages.map((m) => m.frame(codec)),
        );
        const decoded = codec.decode(codec.binary ? new Uint8Array(frame) : frame.toString()) as {
          type: string;
          messages: { seq: number }[];
        };
        expect(decoded.type).toBe('batch');
        expect(decoded.messages).toHaveLength(n);
        expect(decoded.messages[n - 1]).toEqual(messages[n - 1]!.toWire());
      },
    );
  }
});
