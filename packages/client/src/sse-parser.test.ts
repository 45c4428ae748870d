import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from './sse-parser.js';

function parse(chunks: string[]) {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const parser = new SseParser(
    (e) => events.push(e),
    (c) => comments.push(c),
  );
  for (const c of chunks) parser.push(c);
  return { events, comments };
}

describe('SseParser', () => {
  it('reads ids, named events, multi-line data and comments, across any chunking', () => {
    const stream =
      'retry: 1000\n\ndata: {"type":"welcome"}\n\n: ping 1\n\nid: price.A:1:e\ndata: {"a":1}\n\n' +
      'event: close\ndata: {"code":4002}\n\ndata: a\ndata: b\n\n';
    const expected = [
      { id: undefined, event: 'message', data: '{"type":"welcome"}' },
      { id: 'price.A:1:e', event: 'message', data: '{"a":1}' },
      { id: undefined, event: 'close', data: '{"code":4002}' },
      { id: undefined, event: 'message', data: 'a\nb' },
    ];
    expect(parse([stream])).toEqual({ events: expected, comments: ['ping 1'] });
    // One character at a time, and with CRLF / CR line ends split between chunks.
    expect(parse([...stream]).events).toEqual(expected);
    expect(parse([...stream.replaceAll('\n', '\r\n')]).events).toEqual(expected);
    expect(parse([...stream.replaceAll('\n', '\r')]).events).toEqual(expected);
  });

  it('keeps an incomplete event until its blank line arrives', () => {
    const { events } = parse(['data: {"partial":', 'true}\n']);
    expect(events).toEqual([]);
  });
});
