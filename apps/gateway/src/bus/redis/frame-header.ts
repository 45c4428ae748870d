import { BusMessage } from '../bus-message.js';

/** The fixed start of every frame `lua.ts` builds, up to the payload. */
const HEADER =
  /^\{"type":"message","topic":"([^"]{1,200})","seq":(\d{1,16}),"epoch":"([^"]{1,64})","ts":(\d{1,16}),"payload":/;
/** Longest possible header: topic 200 + epoch 64 + two 16-digit numbers + the fixed text. */
const MAX_HEADER = 400;

/**
 * A message from a frame as Redis stores and publishes it. Only the header is read (topic, seq,
 * epoch, ts); the payload stays encoded and JSON sockets get these very bytes.
 */
export function messageFromFrame(frame: Buffer): BusMessage | undefined {
  const m = HEADER.exec(frame.toString('latin1', 0, Math.min(frame.length, MAX_HEADER)));
  if (!m) return undefined;
  return BusMessage.fromJsonFrame(m[1]!, Number(m[2]), m[3]!, Number(m[4]), frame);
}
