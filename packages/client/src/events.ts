import type { ErrorFrame, Notice, Welcome } from '@pulse/protocol';
import type { StatusEvent } from './status.js';

/** After a resubscribe that asked to resume: `recovered: false` means messages were lost. */
export interface ResumedEvent {
  /** The subscribed pattern. */
  readonly topic: string;
  readonly recovered: boolean;
}

/** A ping round trip (the client pings every heartbeat; `ping()` too). */
export interface LatencyEvent {
  readonly rttMs: number;
}

/** The server accepted a refreshed token (after `TOKEN_EXPIRING`). */
export interface AuthenticatedEvent {
  /** The new token's expiry, ms since the Unix epoch. */
  readonly expiresAt?: number;
}

/** Events of `client.on(...)`. */
export interface PulseClientEvents {
  status: StatusEvent;
  welcome: Welcome;
  /** Server errors that are not the rejection of an awaited call, and frames we could not read. */
  error: ErrorFrame;
  notice: Notice;
  resumed: ResumedEvent;
  latency: LatencyEvent;
  authenticated: AuthenticatedEvent;
}

/** Counters since the client was created. */
export interface ClientStats {
  /** Frames received. */
  readonly received: number;
  /** Frames sent. */
  readonly sent: number;
  /** Topic messages handed to handlers (batches unpacked, duplicates not counted). */
  readonly messages: number;
  /** Topic messages dropped because their seq was already delivered. */
  readonly duplicates: number;
  /** Fire-and-forget publishes dropped: queue full, or the client was closed. */
  readonly dropped: number;
  /** Publishes sent again (same key) after a retryable failure (`retry: true`). */
  readonly publishRetries: number;
  /** Successful connections after the first. */
  readonly reconnects: number;
}
