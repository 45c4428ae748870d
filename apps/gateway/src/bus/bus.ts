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

export interface BusStatus {
  readonly ready: boolean;
  readonly kind: 'memory' | 'redis';
  readonly reason?: string;
}

/**
 * Where messages are sequenced, kept and shared between gateway instances. Every published
 * message gets the topic's next gapless seq; the bus hands each one to its single listener
 * (the fan-out) once, in seq order per topic.
 */
export interface Bus {
  /** Stores `payload` as the next message of `topic`; resolves once it is durable in history. */
  publish(topic: string, payload: unknown): Promise<BusMessage>;
  /** Sets the sink for live messages of watched patterns. */
  onMessage(listener: (message: BusMessage) => void): void;
  /**
   * Declares that local subscribers want `pattern` (an instance receives only what it watches).
   * Resolves once live messages for it flow, so history read afterwards cannot miss any.
   */
  watch(pattern: string): Promise<void>;
  unwatch(pattern: string): void;
  /** History and state for a new subscription to `pattern`. */
  recover(pattern: string, request: RecoverRequest): Promise<Recovery>;
  status(): BusStatus;
  close(): Promise<void>;
}
