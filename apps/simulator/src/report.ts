import type { Clock } from './clock.js';
import { formatLive, type Gauges, type Stats } from './stats.js';

export interface ReporterOptions {
  readonly stats: Stats;
  readonly gauges: () => Gauges;
  readonly clock: Clock;
  readonly write: (text: string) => void;
  /** On a terminal one line is redrawn every second; in logs a new line every 5 s. */
  readonly tty: boolean;
  /** Terminal width: a redrawn line must not wrap, or `\r` cannot erase it. */
  readonly columns?: () => number | undefined;
}

/** Prints the live stats line until the returned function is called. */
export function startReporter(o: ReporterOptions): () => void {
  const intervalMs = o.tty ? 1_000 : 5_000;
  let lastSent = o.stats.sent;
  let lastAt = o.clock.now();
  let timer: unknown;
  let drawn = false;

  const report = () => {
    const now = o.clock.now();
    const perSec = ((o.stats.sent - lastSent) * 1000) / Math.max(1, now - lastAt);
    lastSent = o.stats.sent;
    lastAt = now;
    const line = formatLive(o.stats, perSec, o.gauges());
    const width = o.columns?.();
    // \r + "erase line" redraws in place on a terminal.
    o.write(o.tty ? `\r\x1b[2K${width ? fit(line, width - 1) : line}` : `${line}\n`);
    drawn = true;
    timer = o.clock.setTimeout(report, intervalMs);
  };
  timer = o.clock.setTimeout(report, intervalMs);

  return () => {
    o.clock.clearTimeout(timer);
    if (o.tty && drawn) o.write('\n');
  };
}

function fit(line: string, width: number): string {
  return line.length <= width ? line : `${line.slice(0, Math.max(0, width - 1))}…`;
}
