import type { ResumePosition } from '@pulse/protocol';
import type { BusMessage } from './bus-message.js';

/** DI token for the active `Bus`. */
export const BUS = Symbol('Bus');

export interface RecoverRequest {
  /** Last seq (and epoch) the client saw per concrete topic; empty when not resuming. */
  readonly positions: ReadonlyMap<string, ResumePosition>;
  /** Recent messages per topic to send when not resuming (1 = latest value). */
  readonly history: number;
}

export interface Recovery {
  /** Messages to deliver before live ones, in seq order per topic. */
  readonly messages: readonly BusMessage[];
  /** Present when positions were given: false if any requested topic lost messages. */
  readonly recovered?: boolean;
  /** For an exact topic: its current epoch and latest seq. */
  readonly state?: { readonly epoch: string; readonly seq: number };
}

/**
 * The answer to a keyed publish whose key was already used within the idempotency window:
 * nothing was stored now; the first publish with that key was stored as `seq` of `topic`.
 */
export interface Repeat {
  readonly repeat: true;
  readonly topic: string;
  readonly seq: number;
}

/**
 * A publish the bus may or may not have stored: it was handed to the store, whose answer never
 * came (a command timeout, a connection lost in flight). Any other rejection of `publish`
 * means nothing was stored. Callers answer `OUTCOME_UNKNOWN`, and a retry with the same key
 * finds out.
 */
export class OutcomeUnknown extends Error {
  override readonly name = 'OutcomeUnknown';
}

/** `count` messages of `topic` after `afterSeq` of `epoch` are gone (see `Bus.onLoss`). */
export interface BusLoss {
  readonly topic: string;
  readonly epoch: string;
  readonly afterSeq: number;
  readonly count: number;
}

export interface BusStatus {
  readonly ready: boolean;
  readonly kind: 'memory' | 'redis';
  readonly reason?: string;
}

/** What a bus that keeps history in this process holds, against HISTORY_MEMORY_MAX_BYTES. */
export interface HistoryMemory {
  /** Estimated bytes of every held message. */
  readonly bytes: number;
  readonly maxBytes: number;
  readonly messages: number;
  readonly topics: number;
  /** Messages evicted before HISTORY_SIZE would have dropped them, to stay within maxBytes. */
  readonly evicted: number;
}

/**
 * Where messages are sequenced, kept and shared between gateway instances. Every published
 * message gets the topic's next gapless seq; the bus hands each one to its single listener
 * (the fan-out) once, in seq order per topic.
 */
export interface Bus {
  /**
   * Stores `payload` as the next message of `topic`; resolves once it is durable in history.
   * With `key` (already scoped to its publisher), the check "seen within the idempotency window"
   * and the store are one atomic step: a repeat stores nothing and resolves with the original
   * seq. Rejects with `OutcomeUnknown` when it may have been stored, else nothing was.
   */
  publish(topic: string, payload: unknown): Promise<BusMessage>;
  publish(topic: string, payload: unknown, key: string | undefined): Promise<BusMessage | Repeat>;
  /**
   * `publish` without the promise, on a bus that stores in this process (memory): stored (and
   * handed to the listener) when it returns. The publish path takes it when present, so an
   * in-memory publish costs no promises (with a log context's async hooks on, four per publish
   * were a measurable share of the `devices` bench). Throws where `publish` would reject, and
   * only before storing: a listener that throws afterwards is logged, never reported as "not
   * stored" (memory-bus.test.ts).
   */
  store?(topic: string, payload: unknown, key: string | undefined): BusMessage | Repeat;
  /** Sets the sink for live messages of watched patterns. */
  onMessage(listener: (message: BusMessage) => void): void;
  /**
   * Sets the sink for losses: live messages of a watched topic that never arrived and that no
   * history holds any more. Told before the first message after them (memory: never).
   */
  onLoss(listener: (loss: BusLoss) => void): void;
  /**
   * Declares that local subscribers want `pattern` (an instance receives only what it watches).
   * Resolves once live messages for it flow, so history read afterwards cannot miss any.
   */
  watch(pattern: string): Promise<void>;
  unwatch(pattern: string): void;
  /** History and state for a new subscription to `pattern`. */
  recover(pattern: string, request: RecoverRequest): Promise<Recovery>;
  status(): BusStatus;
  /** Present on a bus whose history lives in this process (memory); Redis keeps it in Redis. */
  historyMemory?(): HistoryMemory;
  close(): Promise<void>;
}
