/** Protocol version spoken by this package. Bumped on any incompatible wire change. */
export const PROTOCOL_VERSION = 1 as const;

/** WebSocket subprotocols, one per codec; the client offers one, the server echoes it. */
export const SUBPROTOCOL = {
  json: `pulse.v${PROTOCOL_VERSION}.json`,
  msgpack: `pulse.v${PROTOCOL_VERSION}.msgpack`,
} as const;

export type CodecName = keyof typeof SUBPROTOCOL;
