import { jsonCodec } from '@pulse/protocol';
import { describe, expect, it } from 'vitest';
import { BusMessage } from '../bus/bus-message.js';
import type { Client } from '../client/client.js';
import { Subscription } from './subscription.js';

function fakeConnection() {
  const sent: (number | string)[] = [];
  const conn = {
    codec: jsonCodec,
    send: (frame: { type: string; code?: string }) => sent.push(`${frame.type}:${frame.code}`),
    outbox: {
      live: (m: BusMessage) => sent.push(m.seq),
      replay: (ms: readonly BusMessage[]) => sent.push(...ms.map((m) => m.seq)),
    },
  } as unknown as Client;
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

  it('accepts a new epoch even with a lower seq, and announces it first', () => {
    const { conn, sent } = fakeConnection();
    const s = new Subscription(conn, 'price.X', 1);
    s.goLive([msg(9)]);
    s.deliver(msg(1, 'e2'));
    expect(sent).toEqual([9, 'notice:EPOCH_CHANGED', 1]);
  });
});
