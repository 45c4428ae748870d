import type { ConnectionStatus, StatusEvent } from '@pulse/client';
import { CLOSE_CODES, type CloseCode, type Notice, type Welcome } from '@pulse/protocol';
import { RateMeter, type Now } from '../lib/rate-meter.js';

/** How the last reconnect went: every resubscription resumed without loss, or not. */
export interface ResumeOutcome {
  readonly at: number;
  readonly recovered: boolean;
  /** Subscriptions that reported. */
  readonly topics: number;
  /** Set when a live topic lost updates (`EPOCH_CHANGED`, `LOST`): the topic. */
  readonly restarted?: string;
}

function assertNever(x: never): never {
  throw new Error(`unexpected status ${String(x)}`);
}

/** Why the socket closed, in words: `4001 UNAUTHORIZED`, `1006`. */
export function describeClose(code: number | undefined, reason?: string): string | undefined {
  if (code === undefined) return undefined;
  const info = CLOSE_CODES[code as CloseCode] as (typeof CLOSE_CODES)[CloseCode] | undefined;
  const name = info ? ` ${info.name}` : '';
  return reason ? `${code}${name}: ${reason}` : `${code}${name}`;
}

/** What the connection bar shows: status, server, round-trip time and inbound message rate. */
export class ConnectionState {
  status = $state<ConnectionStatus>('connecting');
  /** Reconnect attempts since the last successful connection. */
  attempt = $state(0);
  /** Wall-clock ms of the next retry, when one is scheduled. */
  nextRetryAt = $state<number | undefined>();
  closeCode = $state<number | undefined>();
  closeReason = $state<string | undefined>();
  welcome = $state.raw<Welcome | undefined>();
  rttMs = $state<number | undefined>();
  /** Topic messages per second delivered to the console, sampled by `sampleRate()`. */
  messagesPerSecond = $state(0);
  /** True once a `welcome` arrived: tells "gateway unreachable" from "connection lost". */
  everConnected = $state(false);
  resume = $state.raw<ResumeOutcome | undefined>();
  /** Live updates the gateway skipped for this console while its link was slow. */
  skipped = $state(0);

  readonly label = $derived.by((): string => {
    switch (this.status) {
      case 'connecting':
        return 'Connecting…';
      case 'connected':
        return 'Connected';
      case 'reconnecting':
        return `Reconnecting (attempt ${this.attempt})`;
      case 'disconnected':
        return 'Offline';
      default:
        return assertNever(this.status);
    }
  });

  /** Why there is no data, when the connection is the reason; undefined while connected. */
  readonly problem = $derived.by((): string | undefined => {
    switch (this.status) {
      case 'connected':
        return undefined;
      case 'connecting':
        return this.everConnected ? 'Reconnecting to the gateway…' : 'Connecting to the gateway…';
      case 'reconnecting':
        return this.everConnected
          ? `Connection lost: retrying (attempt ${this.attempt})`
          : `Gateway unreachable: retrying (attempt ${this.attempt})`;
      case 'disconnected': {
        const why = describeClose(this.closeCode, this.closeReason);
        return why ? `Offline: ${why}` : 'Offline';
      }
      default:
        return assertNever(this.status);
    }
  });

  readonly #meter: RateMeter;
  readonly #now: Now;

  /** `now`: wall clock (ms since the epoch), injectable for tests. */
  constructor(now: Now = Date.now) {
    this.#now = now;
    this.#meter = new RateMeter({ now });
  }

  /** The client's `status` event. */
  onStatus(e: StatusEvent): void {
    this.status = e.status;
    this.attempt = e.attempt;
    this.nextRetryAt = e.nextRetryInMs === undefined ? undefined : this.#now() + e.nextRetryInMs;
    if (e.status === 'connected') {
      this.closeCode = undefined;
      this.closeReason = undefined;
    } else if (e.closeCode !== undefined) {
      this.closeCode = e.closeCode;
      this.closeReason = e.closeReason;
    }
  }

  /** The client's `welcome` event. */
  onWelcome(welcome: Welcome): void {
    // A new connection: the resume outcome of the previous one no longer applies.
    if (this.everConnected) this.resume = undefined;
    this.welcome = welcome;
    this.everConnected = true;
  }

  /** The client's `latency` event. */
  onLatency(rttMs: number): void {
    this.rttMs = rttMs;
  }

  /** The client's `resumed` event: one per resubscription after a reconnect. */
  onResumed(recovered: boolean): void {
    const prev = this.resume;
    this.resume = {
      at: prev?.at ?? this.#now(),
      recovered: (prev?.recovered ?? true) && recovered,
      topics: (prev?.topics ?? 0) + 1,
    };
  }

  /**
   * The client's `notice` event. A topic whose history restarted while it was watched
   * (`EPOCH_CHANGED`), or that lost messages on their way to the gateway (`LOST`), misses
   * updates: shown like a lossy resume. Live updates skipped while
   * the link was slow (`CONFLATED`) are counted; charts still end on the latest value.
   */
  onNotice(notice: Notice): void {
    if (notice.code === 'CONFLATED') this.skipped += notice.skipped ?? 0;
    else if (notice.code === 'EPOCH_CHANGED' || notice.code === 'LOST')
      this.resume = {
        at: this.#now(),
        recovered: false,
        topics: (this.resume?.topics ?? 0) + 1,
        ...(notice.topic === undefined ? {} : { restarted: notice.topic }),
      };
  }

  /** The operator read the resume note: hide it (a lossy resume stays until then). */
  dismissResume(): void {
    this.resume = undefined;
  }

  /** Counts topic messages delivered (cheap: no reactive write). */
  countMessages(n = 1): void {
    this.#meter.mark(n);
  }

  /** Copies the current message rate into `messagesPerSecond` (called on a timer). */
  sampleRate(): void {
    this.messagesPerSecond = this.#meter.rate();
  }
}
