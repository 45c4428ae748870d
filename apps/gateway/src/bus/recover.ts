import type { ResumePosition } from '@pulse/protocol';
import type { BusMessage } from './bus-message.js';
import type { RecoverRequest } from './bus.js';

/** What any bus must be able to tell about one topic to answer a recovery. */
export interface TopicHistory {
  readonly epoch: string;
  readonly lastSeq: number;
  after(seq: number): readonly BusMessage[] | undefined;
  last(count: number): readonly BusMessage[];
}

/**
 * The resume rule, shared by every bus: with a position in the same epoch whose successors are
 * all still held, send exactly those (recovered); otherwise send the latest value (not
 * recovered). Without a position, send the last `history` messages.
 */
export function recoverTopic(
  log: TopicHistory,
  position: ResumePosition | undefined,
  history: number,
): { messages: readonly BusMessage[]; recovered: boolean } {
  if (!position) return { messages: history > 0 ? log.last(history) : [], recovered: true };
  if (position.epoch === log.epoch) {
    const missed = log.after(position.seq);
    if (missed) return { messages: missed, recovered: true };
  }
  return { messages: log.last(1), recovered: false };
}

export function positionsRequested(request: RecoverRequest): boolean {
  return request.positions.size > 0;
}
