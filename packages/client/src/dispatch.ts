import type { TopicMessage } from '@pulse/protocol';
import { reportError } from './emitter.js';
import { ResumeTracker } from './resume.js';
import { SubscriptionRegistry, type MessageHandler } from './subscriptions.js';

/**
 * Routes topic messages to local handlers, once each: the duplicate check and the resume
 * positions live here, beside the subscriptions they serve.
 */
export class Dispatcher {
  readonly subscriptions = new SubscriptionRegistry();
  readonly resume = new ResumeTracker();
  /** Messages handed to handlers. */
  delivered = 0;
  /** Messages dropped as already delivered. */
  duplicates = 0;

  deliver(message: TopicMessage<unknown>): void {
    const handlers = this.subscriptions.handlersFor(message.topic);
    if (handlers.length === 0) return; // late, after the last unsubscribe: not tracked either
    if (!this.resume.accept(message)) {
      this.duplicates++;
      return;
    }
    this.delivered++;
    for (const handler of handlers) callSafely(handler, message);
  }

  /**
   * Hands a new local handler the latest value already delivered for its topics: it joins a
   * server subscription that will not send them again (or that the duplicate check would drop).
   * Deferred so the handler never runs inside `subscribe()` itself.
   */
  replayLatest(pattern: string, handler: MessageHandler): void {
    const latest = [...this.resume.latest(pattern)];
    const first = latest[0];
    if (!first) return;
    queueMicrotask(() => {
      if (!this.subscriptions.handlersFor(first.topic).includes(handler)) return; // unsubscribed
      for (const message of latest) callSafely(handler, message);
    });
  }

  /** After a pattern's last unsubscribe: forget positions no remaining pattern needs. */
  forgetUnused(): void {
    this.resume.retain(this.subscriptions.patterns());
  }
}

/** A throwing handler must not stop delivery to the others. */
function callSafely(handler: MessageHandler, message: TopicMessage<unknown>): void {
  try {
    handler(message);
  } catch (error) {
    reportError(error);
  }
}
