import {
  MAX_RESUME_POSITIONS,
  isTopic,
  topicMatches,
  type ResumePosition,
  type TopicMessage,
} from '@pulse/protocol';

/** What a resubscribe adds to `subscribe`: `since`+`epoch` for a topic, `positions` for a pattern. */
export type ResumeFields =
  | { readonly since: number; readonly epoch: string }
  | { readonly positions: Record<string, ResumePosition> }
  | undefined;

/**
 * Remembers the last message delivered per concrete topic. That is both the resume position
 * ({epoch, seq}) and the latest value handed to a late local subscriber, so one map serves both.
 */
export class ResumeTracker {
  readonly #last = new Map<string, TopicMessage<unknown>>();

  /**
   * Records `message` and returns true when it is new. Within one epoch a seq at or below the
   * last delivered one is a duplicate (a resume that overlaps what we had); a different epoch
   * means the topic's history restarted, so its numbering starts over.
   */
  accept(message: TopicMessage<unknown>): boolean {
    const last = this.#last.get(message.topic);
    if (last && last.epoch === message.epoch && message.seq <= last.seq) return false;
    this.#last.set(message.topic, message);
    return true;
  }

  /** The last message delivered for each tracked topic matching `pattern`. */
  *latest(pattern: string): Iterable<TopicMessage<unknown>> {
    if (isTopic(pattern)) {
      const last = this.#last.get(pattern);
      if (last) yield last;
      return;
    }
    for (const [topic, message] of this.#last) if (topicMatches(pattern, topic)) yield message;
  }

  /**
   * Resume fields for resubscribing `pattern`, or undefined when nothing was seen yet.
   * A pattern lists at most MAX_RESUME_POSITIONS topics (the server refuses more); topics past
   * the cap get the server's latest value and the duplicate check still holds for them.
   */
  resumeFor(pattern: string): ResumeFields {
    if (isTopic(pattern)) {
      const last = this.#last.get(pattern);
      return last ? { since: last.seq, epoch: last.epoch } : undefined;
    }
    const positions: Record<string, ResumePosition> = {};
    let count = 0;
    for (const message of this.latest(pattern)) {
      positions[message.topic] = { seq: message.seq, epoch: message.epoch };
      if (++count === MAX_RESUME_POSITIONS) break;
    }
    return count > 0 ? { positions } : undefined;
  }

  /** Forgets topics no longer covered by any of `patterns` (after the last unsubscribe of one). */
  retain(patterns: Iterable<string>): void {
    const kept = [...patterns];
    for (const topic of this.#last.keys()) {
      if (!kept.some((p) => topicMatches(p, topic))) this.#last.delete(topic);
    }
  }
}
