import { jsonCodec } from '@pulse/protocol';
import { describe, expect, it } from 'vitest';
import { BusMessage } from '../bus/bus-message.js';
import type { Connection } from './connection.js';
import { Subscription } from './subscription.js';

function fakeConnection() {
  const sent: number[] = [];
  const conn = {
    codec: jsonCodec,
    enqueue: (m: BusMessage) => sent.push(m.seq),
  } as unknown as Connection;
  return { conn, sent };
}
const msg = (seq: number, epoch = 'e') => new BusMessage('price.X', seq, epoch, 0, {});

describe('Subscription', () => {
  it('holds live messages during setup and sends replay, then held ones, without duplicates', () => {
    const { conn, sent } = fakeConnection();
    const s = new Subscription(conn, 'price.X', 1);
    s.deliver(msg(5));
    s.deliver(msg(6));
    expect(sent).toEqual([]);
    s.goLive([msg(3), msg(4), msg(5)]);
    expect(sent).toEqual([3, 4, 5, 6]);
    s.deliver(msg(6));
    s.deliver(msg(7));
    expect(sent).toEqual([3, 4, 5, 6, 7]);
  });

  it('accepts a new epoch even with a lower seq', () => {
    const { conn, sent } = fakeConnection();
    const s = new Subscription(conn, 'price.X', 1);
    s.goLive([msg(9)]);
    s.deliver(msg(1, 'e2'));
    expect(sent).toEqual([9, 1]);
  });
});
