import { describe, expect, it } from 'vitest';
import { messageFromFrame, splitFrames } from './frame-header.js';

const frame = (seq: number) =>
  `{"type":"message","topic":"price.X","seq":${seq},"epoch":"e1","ts":5,"payload":{"note":"a\\nb"}}`;

describe('frames from pub/sub', () => {
  it('reads one frame, and several joined by newlines, without touching their payloads', () => {
    expect(splitFrames(Buffer.from(frame(1))).map(String)).toEqual([frame(1)]);
    const joined = Buffer.from([frame(1), frame(2), frame(3)].join('\n'));
    const frames = splitFrames(joined);
    expect(frames.map(String)).toEqual([frame(1), frame(2), frame(3)]);
    expect(frames.map((f) => messageFromFrame(f)?.seq)).toEqual([1, 2, 3]);
  });
});
