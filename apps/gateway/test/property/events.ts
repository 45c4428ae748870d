import type { Position } from './truth.js';

/** What the model expects of one topic when a (re)subscribe is sent. */
export interface Baseline {
  readonly topic: string;
  /** The position the client resumes from (since/epoch, positions, Last-Event-ID). */
  readonly resumeFrom?: Position;
  /** The topic on the bus at that moment (undefined: it holds no message). */
  readonly bus?: Position;
  /** Without a resume position: how many messages of history must be replayed. */
  readonly replay: number;
}

/**
 * Everything one logical client saw, in arrival order, across its connections and transports,
 * and the model's notes (`subscribe`) written just before a subscribe left.
 */
export type ClientEvent =
  | { k: 'open'; transport: 'ws' | 'sse'; at: number }
  | { k: 'subscribe'; sub: string; history: number; topics: readonly Baseline[] }
  | { k: 'subscribed'; sub: string; recovered?: boolean; epoch?: string; seq?: number }
  | { k: 'refused'; sub: string; code: string }
  | { k: 'msg'; topic: string; epoch: string; seq: number; value: number }
  | { k: 'conflated'; skipped: number }
  | { k: 'epochChanged'; topic: string; epoch: string; seq: number }
  | { k: 'lost'; topic: string; epoch: string; seq: number }
  | { k: 'close'; code: number; reason: string };

/** One line per event, for failure reports. */
export function describe(e: ClientEvent): string {
  switch (e.k) {
    case 'open':
      return `--- open ${e.transport}`;
    case 'subscribe':
      return `> subscribe ${e.sub} history=${e.history} ${e.topics
        .map(
          (b) =>
            `${b.topic}[${b.resumeFrom ? `from ${b.resumeFrom.epoch}#${b.resumeFrom.seq}` : `replay ${b.replay}`}, bus ${b.bus ? `${b.bus.epoch}#${b.bus.seq}` : '-'}]`,
        )
        .join(' ')}`;
    case 'subscribed':
      return `< subscribed ${e.sub}${e.recovered === undefined ? '' : ` recovered=${e.recovered}`}${e.epoch ? ` ${e.epoch}#${e.seq}` : ''}`;
    case 'refused':
      return `< error ${e.code} for ${e.sub}`;
    case 'msg':
      return `${e.topic} ${e.epoch}#${e.seq}`;
    case 'conflated':
      return `< notice CONFLATED skipped=${e.skipped}`;
    case 'epochChanged':
      return `< notice EPOCH_CHANGED ${e.topic} old ${e.epoch}#${e.seq}`;
    case 'lost':
      return `< notice LOST ${e.topic} after ${e.epoch}#${e.seq}`;
    case 'close':
      return `--- closed ${e.code} ${e.reason}`;
  }
}
