import { WILDCARD } from '@pulse/protocol';
import type { Subscription } from './subscription.js';

/**
 * Local subscriptions by pattern. A message is matched by looking up its topic and each
 * one-wildcard variant of it (at most two for the grammar), so matching costs the same however
 * many patterns are subscribed.
 */
export class SubscriberRegistry {
  private readonly byPattern = new Map<string, Set<Subscription>>();

  /** Returns true when this is the first local subscription to the pattern. */
  add(sub: Subscription): boolean {
    let set = this.byPattern.get(sub.pattern);
    const first = !set;
    if (!set) {
      set = new Set();
      this.byPattern.set(sub.pattern, set);
    }
    set.add(sub);
    return first;
  }

  /** Returns true when it was the last local subscription to the pattern. */
  remove(sub: Subscription): boolean {
    const set = this.byPattern.get(sub.pattern);
    if (!set || !set.delete(sub)) return false;
    if (set.size > 0) return false;
    this.byPattern.delete(sub.pattern);
    return true;
  }

  get patternCount(): number {
    return this.byPattern.size;
  }

  /** Calls `fn` for every subscription whose pattern matches the concrete `topic`. */
  forEachMatch(topic: string, fn: (sub: Subscription) => void): void {
    this.visit(topic, fn);
    // Replace each non-family segment in turn with the wildcard.
    let start = topic.indexOf('.') + 1;
    while (start > 0) {
      const end = topic.indexOf('.', start);
      const stop = end === -1 ? topic.length : end;
      this.visit(topic.slice(0, start) + WILDCARD + topic.slice(stop), fn);
      start = end + 1;
    }
  }

  private visit(pattern: string, fn: (sub: Subscription) => void): void {
    const set = this.byPattern.get(pattern);
    if (set) for (const sub of set) fn(sub);
  }
}
