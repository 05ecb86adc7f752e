import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { RateLimiter, RateVerdict } from '../../application/ports';
import { windowOf } from '../../domain/rate-limit';

const SWEEP_EVERY_MS = 5 * 60_000;
/** Longer than the longest window (an hour), so no live count is swept. */
const KEEP_MS = 2 * 3_600_000;

/**
 * Rate limits in Postgres: one upsert bumps the tenant's and the user's count for the current
 * window and returns both, atomically under any number of executors (no read-then-write).
 * A refused call still counts: retrying in a tight loop does not get through sooner.
 */
@Injectable()
export class PgRateLimiter implements RateLimiter, OnModuleDestroy {
  private readonly sweeper: NodeJS.Timeout;

  constructor(@InjectDataSource() private readonly db: DataSource) {
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  async take(r: {
    tenantId: string;
    userId: string;
    tool: string;
    limit: number;
    windowMs: number;
  }): Promise<RateVerdict> {
    const { startMs, leftMs } = windowOf(Date.now(), r.windowMs);
    const tenantScope = `tenant:${r.tenantId}`;
    const userScope = `user:${r.tenantId}:${r.userId}`;
    const rows: { scope: string; calls: number }[] = await this.db.query(
      `INSERT INTO tool_rate_windows (scope, tool, window_start, calls)
       VALUES ($1, $3, $4, 1), ($2, $3, $4, 1)
       ON CONFLICT (scope, tool, window_start) DO UPDATE SET calls = tool_rate_windows.calls + 1
       RETURNING scope, calls`,
      [tenantScope, userScope, r.tool, new Date(startMs)],
    );
    const over = rows.find((row) => row.calls > r.limit);
    if (!over) return { allowed: true };
    return {
      allowed: false,
      scope: over.scope === tenantScope ? 'tenant' : 'user',
      retryAfterMs: leftMs,
    };
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  private async sweep(): Promise<void> {
    try {
      await this.db.query(`DELETE FROM tool_rate_windows WHERE window_start < $1`, [
        new Date(Date.now() - KEEP_MS),
      ]);
    } catch {
      // The next sweep tries again; stale rows only take space.
    }
  }
}
