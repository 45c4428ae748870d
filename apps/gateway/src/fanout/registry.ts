import { WILDCARD } from '@pulse/protocol';
import type { BusMessage } from '../bus/bus-message.js';
import type { ThrottleMode } from '../config/flow-settings.js';
import type { Stats } from '../metrics/stats.js';
import type { Subscription } from './subscription.js';
import { ThrottleGroup } from './throttle/throttle-group.js';
import type { Timeline } from './throttle/timeline.js';

/** Subscriptions of one pattern at one rate and mode, and their throttle per concrete topic. */
interface RateClass {
  readonly intervalMs: number;
  readonly mode: ThrottleMode;
  readonly subs: Set<Subscription>;
  readonly groups: Map<string, ThrottleGroup>;
}

interface PatternEntry {
  /** Unthrottled subscriptions: every update is delivered. */
  readonly direct: Set<Subscription>;
  /** Throttled subscriptions by `intervalMs:mode`. */
  readonly rated: Map<string, RateClass>;
  size: number;
}

/**
 * Local subscriptions by pattern. A message is matched by looking up its topic and each
 * one-wildcard variant of it (at most two in the grammar), so matching costs the same however
 * many patterns are subscribed. Throttled subscriptions of a pattern that share a rate share
 * one throttle per topic: per-update work grows with patterns × rates, not with subscribers.
 */
export class SubscriberRegistry {
  private readonly byPattern = new Map<string, PatternEntry>();
  /**
   * Patterns with a wildcard among them. While there are none (device consoles subscribe to
   * exact topics), a message is looked up by its topic alone: building its wildcard variants
   * was three string allocations and lookups per publish for nothing.
   */
  private wildcardPatterns = 0;

  constructor(
    private readonly timeline: Timeline,
    private readonly stats: Stats,
  ) {}

  /** Returns true when this is the first local subscription to the pattern. */
  add(sub: Subscription): boolean {
    let entry = this.byPattern.get(sub.pattern);
    const first = !entry;
    if (!entry) {
      entry = { direct: new Set(), rated: new Map(), size: 0 };
      this.byPattern.set(sub.pattern, entry);
      if (sub.pattern.includes(WILDCARD)) this.wildcardPatterns += 1;
    }
    entry.size += 1;
    if (sub.intervalMs === 0) {
      entry.direct.add(sub);
      return first;
    }
    const key = `${sub.intervalMs}:${sub.mode}`;
    let rc = entry.rated.get(key);
    if (!rc) {
      rc = { intervalMs: sub.intervalMs, mode: sub.mode, subs: new Set(), groups: new Map() };
      entry.rated.set(key, rc);
    }
    rc.subs.add(sub);
    return first;
  }

  /** Returns true when it was the last local subscription to the pattern. */
  remove(sub: Subscription): boolean {
    const entry = this.byPattern.get(sub.pattern);
    if (!entry) return false;
    let removed = entry.direct.delete(sub);
    if (!removed) {
      const key = `${sub.intervalMs}:${sub.mode}`;
      const rc = entry.rated.get(key);
      removed = rc?.subs.delete(sub) ?? false;
      if (rc && rc.subs.size === 0) {
        for (const g of rc.groups.values()) g.dispose();
        entry.rated.delete(key);
      }
    }
    if (!removed) return false;
    entry.size -= 1;
    if (entry.size > 0) return false;
    this.byPattern.delete(sub.pattern);
    if (sub.pattern.includes(WILDCARD)) this.wildcardPatterns -= 1;
    return true;
  }

  get patternCount(): number {
    return this.byPattern.size;
  }

  /** Every subscription whose pattern matches `topic` (the topic itself or a wildcard variant). */
  matching(topic: string): Subscription[] {
    const out: Subscription[] = [];
    const visit = (pattern: string): void => {
      const entry = this.byPattern.get(pattern);
      if (!entry) return;
      out.push(...entry.direct);
      for (const rc of entry.rated.values()) out.push(...rc.subs);
    };
    if (this.wildcardPatterns === 0) visit(topic);
    else forEachPattern(topic, visit);
    return out;
  }

  /** Hands `message` to every matching subscription, through its throttle where it has one. */
  dispatch(message: BusMessage, now: number): void {
    if (this.wildcardPatterns === 0) return this.dispatchTo(message.topic, message, now);
    forEachPattern(message.topic, (pattern) => this.dispatchTo(pattern, message, now));
  }

  private dispatchTo(pattern: string, message: BusMessage, now: number): void {
    const entry = this.byPattern.get(pattern);
    if (!entry) return;
    for (const sub of entry.direct) sub.deliver(message);
    for (const rc of entry.rated.values()) {
      let group = rc.groups.get(message.topic);
      if (!group) {
        group = new ThrottleGroup(
          message.topic,
          rc.intervalMs,
          rc.mode,
          rc.subs,
          this.timeline,
          this.stats,
        );
        rc.groups.set(message.topic, group);
      }
      group.offer(message, now);
    }
  }
}

/**
 * Visits `topic` and each of its one-wildcard variants (every non-family segment replaced in
 * turn): the patterns a subscription to this topic can have. A callback, not a generator: it
 * runs for every message.
 */
function forEachPattern(topic: string, visit: (pattern: string) => void): void {
  visit(topic);
  let start = topic.indexOf('.') + 1;
  while (start > 0) {
    const end = topic.indexOf('.', start);
    const stop = end === -1 ? topic.length : end;
    visit(topic.slice(0, start) + WILDCARD + topic.slice(stop));
    start = end + 1;
  }
}
