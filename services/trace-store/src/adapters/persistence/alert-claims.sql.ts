import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AlertFired, parseAs } from '@tether/contracts';

/** A claim whose last holder did not finish it: what is left is to publish it, or only to notify. */
export interface PendingAlert {
  alert: AlertFired;
  published: boolean;
}

/**
 * `trace_alerts`: one row per alert, keyed by its id (rule, tenant, agent, release and bucket), so
 * instances racing to report the same alert insert it once. The row then records how far the
 * alert got: published on `_CTL`, then notified (webhook delivered or given up on).
 */
@Injectable()
export class AlertClaims {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** True for the one caller that claims the alert; false when it was claimed before. */
  async claim(alert: AlertFired, at: Date): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO trace_alerts
         (id, rule, kind, tenant_id, agent, release, window_start, window_end, record, claimed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
        alert.id,
        alert.rule,
        alert.kind,
        alert.tenantId,
        alert.agent,
        alert.release ?? null,
        alert.windowStart,
        alert.windowEnd,
        JSON.stringify(alert),
        at,
      ],
    );
    return rows.length === 1;
  }

  /**
   * Takes over the claims left unfinished before `staleBefore` (a publish that failed, an instance
   * that died), renewing their lease to `at`: of several instances, one gets each.
   */
  async takeStale(at: Date, staleBefore: Date, limit = 100): Promise<PendingAlert[]> {
    // An UPDATE answers [rows, count] through TypeORM.
    const [rows]: [Array<{ record: unknown; published: boolean }>] = await this.db.query(
      `UPDATE trace_alerts SET claimed_at = $1
       WHERE id IN (
         SELECT id FROM trace_alerts
         WHERE (published_at IS NULL OR notified_at IS NULL) AND claimed_at < $2
         ORDER BY claimed_at LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING record, published_at IS NOT NULL AS published`,
      [at, staleBefore, limit],
    );
    return rows.flatMap((row) => {
      const parsed = parseAs(AlertFired, row.record);
      return parsed.ok ? [{ alert: parsed.value, published: row.published }] : [];
    });
  }

  /** Recorded on `_CTL`; with nobody to notify, that is the end of it. Renews the lease for the webhook. */
  async published(id: string, at: Date, notifyNext: boolean): Promise<void> {
    await this.db.query(
      `UPDATE trace_alerts SET published_at = $2::timestamptz, claimed_at = $2::timestamptz,
         notified_at = CASE WHEN $3::boolean THEN NULL ELSE $2::timestamptz END
       WHERE id = $1`,
      [id, at, notifyNext],
    );
  }

  async notified(id: string, at: Date, error: string | null): Promise<void> {
    await this.db.query(
      `UPDATE trace_alerts SET notified_at = $2, webhook_error = $3 WHERE id = $1`,
      [id, at, error],
    );
  }
}
