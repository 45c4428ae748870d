import { Decoder, Encoder } from '@msgpack/msgpack';
import { SUBPROTOCOL, type CodecName } from './version.js';

/**
 * Turns protocol messages into WebSocket frames and back. `decode` throws on bytes it cannot
 * read; schema checks happen after it (see `parseClientMessage`).
 */
export interface Codec {
  readonly name: CodecName;
  readonly subprotocol: string;
  /** True when frames travel as binary WebSocket frames, false for text frames. */
  readonly binary: boolean;
  encode(message: unknown): string | Uint8Array;
  decode(data: string | Uint8Array): unknown;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export const jsonCodec: Codec = {
  name: 'json',
  subprotocol: SUBPROTOCOL.json,
  binary: false,
  encode: (message) => JSON.stringify(message),
  decode: (data) => JSON.parse(typeof data === 'string' ? data : utf8.decode(data)) as unknown,
};

/** Caps keep a hostile frame from making the decoder allocate far beyond the frame itself. */
const MSGPACK_LIMITS = {
  maxStrLength: 1 << 16,
  maxBinLength: 1 << 16,
  maxArrayLength: 4096,
  maxMapLength: 4096,
  maxExtLength: 1 << 10,
} as const;

export function createMsgpackCodec(): Codec {
  const encoder = new Encoder({ ignoreUndefined: true });
  const decoder = new Decoder(MSGPACK_LIMITS);
  return {
    name: 'msgpack',
    subprotocol: SUBPROTOCOL.msgpack,
    binary: true,
    encode: (message) => encoder.encode(message),
    decode: (data) => {
      if (typeof data === 'string') throw new Error('text frame on a msgpack connection');
      return decoder.decode(data);
    },
  };
}

export const msgpackCodec: Codec = createMsgpackCodec();

export const CODECS: Readonly<Record<CodecName, Codec>> = {
  json: jsonCodec,
  msgpack: msgpackCodec,
};

/** The codec for a subprotocol the client offered, or undefined when none is ours. */
export function codecForSubprotocols(offered: Iterable<string>): Codec | undefined {
  for (const p of offered) {
    if (p === SUBPROTOCOL.json) return jsonCodec;
    if (p === SUBPROTOCOL.msgpack) return msgpackCodec;
  }
  return undefined;
}
