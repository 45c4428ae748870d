import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { jsonCodec, topicMatches } from '@pulse/protocol';
import type { BusMessage } from './bus-message.js';
import type { Bus, BusStatus, HistoryMemory, RecoverRequest, Recovery, Repeat } from './bus.js';
import { HistoryBudget } from './history-budget.js';
import { IdempotencyRecords } from './idempotency.js';
import { recoverTopic } from './recover.js';
import { TopicLog } from './topic-log.js';

/**
 * The embedded bus: one process, same semantics as Redis (gapless seq, bounded history,
 * resume). Its epoch is new on every start, so clients of a restarted gateway learn that
 * history was lost instead of being handed a misleading replay.
 */
export class MemoryBus implements Bus {
  readonly epoch = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  private readonly logs = new Map<string, TopicLog>();
  private listener: (message: BusMessage) => void = () => {};
  private readonly logger = new Logger('MemoryBus');
  /** Listener calls that threw after their message was stored (each logged). */
  listenerErrors = 0;
  private readonly keys: IdempotencyRecords;
  /** Every topic's history together stays within HISTORY_MEMORY_MAX_BYTES (latest values aside). */
  readonly budget: HistoryBudget;

  constructor(
    private readonly historySize: number,
    idempotencyWindowMs = 120_000,
    historyMaxBytes = Number.POSITIVE_INFINITY,
  ) {
    this.keys = new IdempotencyRecords(idempotencyWindowMs);
    this.budget = new HistoryBudget(historyMaxBytes);
  }

  publish(topic: string, payload: unknown): Promise<BusMessage>;
  publish(topic: string, payload: unknown, key: string | undefined): Promise<BusMessage | Repeat>;
  publish(topic: string, payload: unknown, key?: string): Promise<BusMessage | Repeat> {
    return Promise.resolve(this.store(topic, payload, key));
  }

  store(topic: string, payload: unknown, key: string | undefined): BusMessage | Repeat {
    // Check and store in one synchronous step: no other publish can come between them.
    const now = Date.now();
    // A key is unique per topic, as on Redis (where it lives in the topic's slot).
    const scoped = key === undefined ? undefined : `${topic}\n${key}`;
    if (scoped !== undefined) {
      const seq = this.keys.lookup(scoped, now);
      if (seq !== undefined) return { repeat: true, topic, seq };
    }
    let log = this.logs.get(topic);
    if (!log) {
      log = new TopicLog(topic, this.epoch, this.historySize, this.budget, storedBytes);
      this.logs.set(topic, log);
    }
    const message = log.append(payload, now);
    if (scoped !== undefined) this.keys.remember(scoped, message.seq, now);
    // Stored from here on: a failing listener (live fan-out) must not turn into an answer
    // that says "not stored" — the publish is acknowledged, and the message is in history,
    // where a resume finds it. As on Redis, storing and live delivery fail apart.
    try {
      this.listener(message);
    } catch (err) {
      this.listenerErrors += 1;
      this.logger.error(`live delivery of ${topic}#${message.seq} failed after it was stored`, err);
    }
    return message;
  }

  onMessage(listener: (message: BusMessage) => void): void {
    this.listener = listener;
  }

  // Every message reaches the listener as it is stored: nothing can be lost in between.
  onLoss(): void {}

  // Everything is local: every message already reaches the one listener.
  watch(): Promise<void> {
    return Promise.resolve();
  }
  unwatch(): void {}

  recover(pattern: string, request: RecoverRequest): Promise<Recovery> {
    const exact = !pattern.includes('*');
    const logs = exact
      ? [this.logs.get(pattern)]
      : [...this.logs.values()].filter((l) => topicMatches(pattern, l.topic));
    const messages: BusMessage[] = [];
    let recovered = true;
    for (const log of logs) {
      if (!log) continue;
      const r = recoverTopic(log, request.positions.get(log.topic), request.history);
      messages.push(...r.messages);
      recovered &&= r.recovered;
    }
    // A requested topic this bus has never seen: its history (if any) belonged to another epoch.
    for (const [topic, position] of request.positions) {
      if (!this.logs.has(topic) && position.epoch !== this.epoch) recovered = false;
    }
    const log = exact ? this.logs.get(pattern) : undefined;
    return Promise.resolve({
      messages,
      ...(request.positions.size > 0 ? { recovered } : {}),
      ...(exact ? { state: { epoch: this.epoch, seq: log?.lastSeq ?? 0 } } : {}),
    });
  }

  historyMemory(): HistoryMemory {
    const { bytes, maxBytes, messages, evicted } = this.budget;
    return { bytes, maxBytes, messages, evicted, topics: this.logs.size };
  }

  status(): BusStatus {
    return { ready: true, kind: 'memory' };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * What a stored message holds, estimated: its JSON frame (made here, once, as every JSON
 * subscriber needs it anyway), the parsed payload (about as large again) and the message
 * object itself. Measured against heap growth in history-memory.e2e.test.ts.
 */
export function storedBytes(message: BusMessage): number {
  return message.frame(jsonCodec).length * 2 + MESSAGE_OVERHEAD_BYTES;
}

/**
 * The BusMessage object, the frame's Buffer view, the payload's objects and numbers, the ring
 * slot. Calibrated with bench/src/history-bytes.mjs (heap + external growth per message, see
 * bench/results/history-bytes.json): within a few per cent for device readings and price ticks.
 */
const MESSAGE_OVERHEAD_BYTES = 200;
