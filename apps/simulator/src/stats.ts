/**
 * Counters for the whole run, and the two ways of printing them: a one-line live view and
 * the summary printed on exit.
 */

/** Run-wide counters; every publisher writes into the same instance. */
export class Stats {
  /** Publishes handed to a connection (retries not included). */
  sent = 0;
  /** Publishes sent with `{ ack: true }`. */
  ackRequested = 0;
  acked = 0;
  /** Acked publishes sent again after a rejection with `retryAfterMs`. */
  retried = 0;
  /** Times a publisher paused after `RATE_LIMITED`. */
  pauses = 0;
  /** `SLOW_DOWN` notices obeyed. */
  slowDowns = 0;
  /** Sends not made because the publisher was paused. */
  held = 0;
  /** Sends not made because the connection was not up (connecting / reconnecting). */
  skipped = 0;
  /** Automatic reconnects of a client after it had been connected. */
  reconnects = 0;
  /** Simulated device dropouts (the device closed its connection on purpose). */
  dropouts = 0;
  /** Connection attempts that failed or links that dropped (the client then retries). */
  connectFailures = 0;
  /** Why the last link failed: close code and/or reason ("Unexpected server response: 401"). */
  lastFailure: string | undefined;
  /** Failures to get a token (mint or fetch). */
  tokenErrors = 0;
  lastTokenError: string | undefined;
  /** Rejections by error code (from error frames and rejected acks). */
  readonly rejected = new Map<string, number>();
  /** Connections the server closed for good (no automatic reconnect), by close code. */
  readonly fatalCloses = new Map<number, number>();

  reject(code: string): void {
    this.rejected.set(code, (this.rejected.get(code) ?? 0) + 1);
  }

  fatalClose(code: number): void {
    this.fatalCloses.set(code, (this.fatalCloses.get(code) ?? 0) + 1);
  }

  get rejectedTotal(): number {
    let n = 0;
    for (const c of this.rejected.values()) n += c;
    return n;
  }
}

/** Point-in-time values that are not counters. */
export interface Gauges {
  readonly devicesTotal: number;
  /** Devices whose dropout says online. */
  readonly devicesOnline: number;
  /** Devices with a connected client. */
  readonly devicesConnected: number;
  readonly feedConnected: boolean;
  readonly symbols: number;
}

const n = (x: number) => x.toLocaleString('en-US');

function byCode(map: ReadonlyMap<string | number, number>): string {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([code, count]) => `${code}=${n(count)}`)
    .join(' ');
}

/** One line: rates since the previous line, totals, gauges. */
export function formatLive(stats: Stats, sentPerSec: number, g: Gauges): string {
  const parts = [
    `sent ${n(Math.round(sentPerSec))}/s (${n(stats.sent)})`,
    `acked ${n(stats.acked)}/${n(stats.ackRequested)}`,
    `rejected ${n(stats.rejectedTotal)}${stats.rejected.size ? ` [${byCode(stats.rejected)}]` : ''}`,
    `retried ${n(stats.retried)}`,
    `devices ${g.devicesConnected}/${g.devicesTotal}`,
    `feed ${g.symbols === 0 ? 'off' : g.feedConnected ? 'up' : 'down'}`,
    `reconnects ${n(stats.reconnects)}`,
  ];
  // The rarer counters only once they mean something, to keep the line short.
  if (stats.dropouts) parts.push(`dropouts ${n(stats.dropouts)}`);
  if (stats.pauses) parts.push(`paused ${n(stats.pauses)}`);
  if (stats.slowDowns) parts.push(`slowdowns ${n(stats.slowDowns)}`);
  if (stats.fatalCloses.size) parts.push(`closed [${byCode(stats.fatalCloses)}]`);
  if (stats.connectFailures)
    parts.push(`connect failures ${n(stats.connectFailures)}${closeSuffix(stats)}`);
  if (stats.tokenErrors) parts.push(`token errors ${n(stats.tokenErrors)}`);
  return parts.join(' · ');
}

/** The multi-line report printed on exit. */
export function formatSummary(stats: Stats, elapsedMs: number): string {
  const secs = Math.max(elapsedMs / 1000, 0.001);
  const lines = [
    `pulse-sim summary after ${secs.toFixed(1)} s`,
    `  sent        ${n(stats.sent)} (${n(Math.round(stats.sent / secs))}/s)`,
    `  acked       ${n(stats.acked)} of ${n(stats.ackRequested)} requested`,
    `  rejected    ${n(stats.rejectedTotal)}${stats.rejected.size ? `  ${byCode(stats.rejected)}` : ''}`,
    `  retried     ${n(stats.retried)}`,
    `  paused      ${n(stats.pauses)} (rate limited), held ${n(stats.held)} sends`,
    `  slowdowns   ${n(stats.slowDowns)}`,
    `  skipped     ${n(stats.skipped)} sends while not connected`,
    `  reconnects  ${n(stats.reconnects)}, dropouts ${n(stats.dropouts)}`,
  ];
  if (stats.fatalCloses.size)
    lines.push(`  closed      ${byCode(stats.fatalCloses)} (not retried)`);
  if (stats.connectFailures) {
    lines.push(`  connect failures ${n(stats.connectFailures)}${closeSuffix(stats)}`);
  }
  if (stats.tokenErrors) {
    lines.push(`  token errors ${n(stats.tokenErrors)}: ${stats.lastTokenError ?? ''}`);
  }
  if (stats.sent === 0 && (stats.connectFailures > 0 || stats.fatalCloses.size > 0)) {
    lines.push(
      '  nothing was sent: is the gateway up at --url, and does JWT_SECRET (if set) match its secret?',
    );
  }
  return lines.join('\n');
}

function closeSuffix(stats: Stats): string {
  return stats.lastFailure === undefined ? '' : ` (last: ${stats.lastFailure})`;
}
