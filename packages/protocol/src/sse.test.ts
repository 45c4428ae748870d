import { describe, expect, it } from 'vitest';
import { formatEventId, parseEventId } from './sse.js';

describe('SSE event ids', () => {
  it('lists every topic with its seq, writing an epoch only when it changes', () => {
    const positions = new Map([
      ['price.A', { seq: 17, epoch: 'e1' }],
      ['price.B', { seq: 5, epoch: 'e1' }],
      ['device.d1.t', { seq: 9, epoch: 'e:2,x' }],
    ]);
    const id = formatEventId(positions);
    expect(id).toBe('price.A:17:e1,price.B:5,device.d1.t:9:e%3A2%2Cx');
    expect(parseEventId(id)).toEqual(positions);
  });

  it.each([
    ['', 'no valid topic'],
    ['price.A', 'no valid seq'],
    ['price.A:x:e', 'no valid seq'],
    ['price.A:-1:e', 'no valid seq'],
    ['price.A:1', 'needs an epoch'],
    ['price.*:1:e', 'no valid topic'],
    ['price.A:1:e:z', 'too many parts'],
    ['price.A:1:%E0', 'bad epoch'],
    ['price.A:99999999999999999:e', 'no valid seq'],
  ])('refuses %j', (id, reason) => {
    expect(parseEventId(id)).toContain(reason);
  });
});
