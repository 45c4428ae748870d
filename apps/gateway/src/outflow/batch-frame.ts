import type { Codec } from '@pulse/protocol';

const JSON_HEAD = Buffer.from('{"type":"batch","messages":[');
const JSON_TAIL = Buffer.from(']}');
const COMMA = Buffer.from(',');
// fixmap(2) "type" "batch" "messages"
const MSGPACK_HEAD = Buffer.from([
  0x82,
  0xa4,
  ...Buffer.from('type'),
  0xa5,
  ...Buffer.from('batch'),
  0xa8,
  ...Buffer.from('messages'),
]);

/**
 * A `batch` frame made by splicing already-encoded `message` frames, so batching never
 * re-encodes a message. Hand-written because both codecs allow it and it is the hot path.
 */
export function batchFrame(codec: Codec, frames: readonly Buffer[]): Buffer {
  if (!codec.binary) {
    const parts: Buffer[] = [JSON_HEAD];
    for (let i = 0; i < frames.length; i++) {
      if (i > 0) parts.push(COMMA);
      parts.push(frames[i]!);
    }
    parts.push(JSON_TAIL);
    return Buffer.concat(parts);
  }
  return Buffer.concat([MSGPACK_HEAD, msgpackArrayHeader(frames.length), ...frames]);
}

function msgpackArrayHeader(n: number): Buffer {
  if (n < 16) return Buffer.from([0x90 | n]);
  if (n < 0x10000) return Buffer.from([0xdc, n >> 8, n & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = 0xdd;
  b.writeUInt32BE(n, 1);
  return b;
}
