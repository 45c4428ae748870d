/** What the budget needs of one topic's history to evict from it. */
export interface BudgetedHistory {
  readonly lastSeq: number;
  /** Oldest seq still held. */
  readonly oldestSeq: number;
  /** Drops every held message up to `seq` (never the latest); returns [bytes, count] freed. */
  dropThrough(seq: number): [bytes: number, count: number];
  /** A seq the budget could not evict (it was the latest) and must reconsider later. */
  parkedSeq: number | undefined;
}

interface Charge {
  readonly log: BudgetedHistory;
  readonly seq: number;
}

/**
 * One memory budget for every topic's history in this process (HISTORY_MEMORY_MAX_BYTES).
 * Each stored message is charged in publish order; over the budget, the oldest charged messages
 * of any topic are evicted first, so a busy topic cannot keep a quiet one's history from being
 * replayed for long, and no number of topics can grow the heap without bound. A topic's latest
 * message is never evicted: it is the "latest value" a subscriber gets when its resume is too
 * old. So the budget holds unless the latest values alone exceed it (see `over`).
 *
 * The queue is an array with a moving head instead of shift() (O(n)); it is compacted when the
 * consumed part dominates.
 */
export class HistoryBudget {
  bytes = 0;
  messages = 0;
  evicted = 0;
  private queue: Charge[] = [];
  private head = 0;

  constructor(readonly maxBytes: number) {}

  /** `log` just stored `seq`, holding `bytes`; evicts older messages while over the budget. */
  charge(log: BudgetedHistory, seq: number, bytes: number): void {
    if (log.parkedSeq !== undefined) {
      // No longer the latest: evictable again, after what is already queued.
      this.queue.push({ log, seq: log.parkedSeq });
      log.parkedSeq = undefined;
    }
    this.queue.push({ log, seq });
    this.bytes += bytes;
    this.messages += 1;
    while (this.bytes > this.maxBytes && this.head < this.queue.length) this.evictOldest();
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /** `log` let go of messages on its own (its ring of HISTORY_SIZE wrapped). */
  release(bytes: number, count: number): void {
    this.bytes -= bytes;
    this.messages -= count;
  }

  /** True while the latest values alone exceed the budget: nothing more can be evicted. */
  get over(): boolean {
    return this.bytes > this.maxBytes;
  }

  private evictOldest(): void {
    const { log, seq } = this.queue[this.head]!;
    this.queue[this.head++] = undefined as unknown as Charge; // let the log be collected
    if (seq < log.oldestSeq) return; // already gone: the ring wrapped over it
    if (seq >= log.lastSeq) {
      log.parkedSeq = seq;
      return;
    }
    const [bytes, count] = log.dropThrough(seq);
    this.bytes -= bytes;
    this.messages -= count;
    this.evicted += count;
  }
}
