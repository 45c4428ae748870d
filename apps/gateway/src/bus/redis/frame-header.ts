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

const NEWLINE = 0x0a;

/**
 * The frames of one pub/sub message: a publish batch joins the frames of one topic with newlines
 * (JSON text never holds a raw one). Each is a view of `joined`, not a copy.
 */
export function splitFrames(joined: Buffer): Buffer[] {
  const first = joined.indexOf(NEWLINE);
  if (first === -1) return [joined];
  const out: Buffer[] = [joined.subarray(0, first)];
  let start = first + 1;
  for (;;) {
    const end = joined.indexOf(NEWLINE, start);
    if (end === -1) {
      out.push(joined.subarray(start));
      return out;
    }
    out.push(joined.subarray(start, end));
    start = end + 1;
  }
}
