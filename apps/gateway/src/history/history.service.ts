import { Logger } from '@nestjs/common';
import type { HistoryResponse } from '@pulse/protocol';
import type { HistorySettings } from '../config/config.schema.js';
import { bucketHistory, rawHistory } from './history-query.js';
import type { HistoryRequest } from './history-request.js';
import { HistoryStore, type Retention } from './history-store.js';
import { HistoryWriter } from './history-writer.js';
import { planAuto, planStep } from './resolution.js';

const RETENTION_EVERY_MS = 10 * 60_000;

/** What readiness reports; a history outage never makes the gateway unready (see health). */
export interface HistoryStatus {
  readonly state: HistoryWriter['state'];
  readonly engine?: string;
  readonly buffered: number;
  readonly reason?: string;
}

/**
 * The durable history: the store (PGlite in DATA_DIR, or PostgreSQL at DATABASE_URL), the
 * writer fed from the publish path, the reads of `GET /history` and the retention sweep.
 */
export class HistoryService {
  private retentionTimer: NodeJS.Timeout | undefined;

  private constructor(
    readonly store: HistoryStore | undefined,
    readonly writer: HistoryWriter,
    readonly retention: Retention,
  ) {}

  static async open(settings: HistorySettings): Promise<HistoryService> {
    const logger = new Logger('History');
    const retention: Retention = {
      rawMs: settings.rawRetentionMs,
      minuteMs: settings.minuteRetentionMs,
      hourMs: settings.hourRetentionMs,
    };
    let store: HistoryStore | undefined;
    if (settings.enabled) {
      // The embedded engine opens at start (a locked DATA_DIR stops the start: two gateways
      // must not share one); PostgreSQL connects lazily and may be down at start.
      // Each engine is imported only when chosen: PGlite's module and pg are ~2 MB of heap that
      // a gateway with HISTORY=off (or on PostgreSQL) never uses.
      const sql = settings.databaseUrl
        ? (await import('./postgres-port.js')).openPostgres(settings.databaseUrl)
        : await (await import('./pglite-port.js')).openPglite(settings.dataDir);
      store = new HistoryStore(sql);
    }
    // Both engines take HISTORY_BATCH_MAX: PGlite runs in its own thread (pglite-port.ts), so a
    // long batch no longer holds the event loop, and larger batches cost it less per point.
    const writer = new HistoryWriter(store, { ...settings, retention }, logger);
    const service = new HistoryService(store, writer, retention);
    service.start();
    return service;
  }

  status(): HistoryStatus {
    const { state, reason, engine, buffered } = this.writer;
    return {
      state,
      ...(engine ? { engine } : {}),
      buffered,
      ...(reason ? { reason } : {}),
    };
  }

  /** Answers a checked request; rejects when the store is off (caller: 404) or failing (503). */
  async query(req: HistoryRequest, now = Date.now()): Promise<HistoryResponse> {
    if (!this.store) throw new Error('history is off');
    await this.store.migrate();
    const sql = this.store.sql;
    if (req.step === 'raw') return rawHistory(sql, req.topic, req.from, req.to);
    const plan =
      req.step === 'auto'
        ? planAuto(req.from, req.to, this.retention, now)
        : planStep(req.step, req.from, req.to, this.retention, now)!;
    return bucketHistory(sql, req.topic, plan, req.to, req.kind);
  }

  async close(): Promise<void> {
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    await this.writer.close();
  }

  private start(): void {
    if (!this.store) return;
    this.writer.start();
    void this.writer.probe();
    const sweep = () => {
      this.store!.applyRetention(this.retention).catch((err: unknown) => {
        new Logger('History').warn(`retention sweep failed: ${String(err)}`);
      });
    };
    sweep();
    this.retentionTimer = setInterval(sweep, RETENTION_EVERY_MS);
    this.retentionTimer.unref();
  }
}
