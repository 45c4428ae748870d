import { topicFamily } from '@pulse/protocol';
import type { BusMessage } from '../bus/bus-message.js';

/** One stored message as the history store keeps it: placed by the payload's own `ts`. */
export interface HistoryPoint {
  readonly topic: string;
  readonly epoch: string;
  readonly seq: number;
  /** The payload's `ts` (device or feed time), ms. */
  readonly t: number;
  /** When the bus sequenced it, ms. */
  readonly serverTs: number;
  /** A reading's `value`, a tick's `last`. */
  readonly value: number;
  /** A tick's `volume`; 0 for readings. */
  readonly volume: number;
  readonly payload: unknown;
}

/**
 * The point of a stored device reading or price tick; undefined for anything else (alarms and
 * presence are the gateway's own and are not kept). Payloads were checked at ingest, so the
 * fields are there; the checks below only guard against a message from elsewhere.
 */
export function historyPointOf(msg: BusMessage): HistoryPoint | undefined {
  const family = topicFamily(msg.topic);
  if (family !== 'device' && family !== 'price') return undefined;
  const p = msg.payload as { value?: unknown; last?: unknown; volume?: unknown; ts?: unknown };
  const value = family === 'device' ? p.value : p.last;
  if (typeof value !== 'number' || typeof p.ts !== 'number') return undefined;
  return {
    topic: msg.topic,
    epoch: msg.epoch,
    seq: msg.seq,
    t: p.ts,
    serverTs: msg.ts,
    value,
    volume: family === 'price' && typeof p.volume === 'number' ? p.volume : 0,
    payload: msg.payload,
  };
}
