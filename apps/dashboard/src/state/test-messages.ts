import type { Presence, PriceTick, SensorReading, TopicMessage } from '@pulse/protocol';

/** Builds a topic message the way the client hands it to a subscription handler. */
export function message<P>(topic: string, seq: number, ts: number, payload: P): TopicMessage<P> {
  return { type: 'message', topic, seq, epoch: 'e1', ts, payload };
}

export function reading(
  id: string,
  metric: string,
  seq: number,
  ts: number,
  value: number,
  unit = 'C',
) {
  return message<SensorReading>(`device.${id}.${metric}`, seq, ts, { value, unit, ts });
}

export function presence(
  id: string,
  seq: number,
  online: boolean,
  lastSeen: number,
  transport?: Presence['transport'],
) {
  return message<Presence>(`presence.${id}`, seq, lastSeen, {
    deviceId: id,
    online,
    lastSeen,
    ...(transport === undefined ? {} : { transport }),
  });
}

export function tick(symbol: string, seq: number, ts: number, last: number) {
  return message<PriceTick>(`price.${symbol}`, seq, ts, {
    bid: last - 0.01,
    ask: last + 0.01,
    last,
    volume: 10,
    ts,
  });
}
