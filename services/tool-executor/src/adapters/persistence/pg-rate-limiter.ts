import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { RateLimiter, RateVerdict } from '../../application/ports';
import { windowOf, type RateLimit } from '../../domain/rate-limit';

const SWEEP_EVERY_MS = 5 * 60_000;
/** Longer than the longest window (an hour), so no live count is swept. */
const KEEP_MS = 2 * 3_600_000;

/**
 * Rate limits in Postgres: one upsert bumps the user's and the tenant's count for their current
 * windows and returns both, atomically under any number of executors (no read-then-write).
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
    user?: RateLimit;
    tenant?: RateLimit;
  }): Promise<RateVerdict> {
    const now = Date.now();
    const scopes = [
      r.user && { kind: 'user' as const, key: `user:${r.tenantId}:${r.userId}`, limit: r.user },
      r.tenant && { kind: 'tenant' as const, key: `tenant:${r.tenantId}`, limit: r.tenant },
    ]
      .filter((s) => s !== undefined)
      .map((s) => ({ ...s, window: windowOf(now, s.limit.windowMs) }));
    if (!scopes.length) return { allowed: true };
    const params: unknown[] = [r.tool];
    const values = scopes.map((s) => {
      params.push(s.key, new Date(s.window.startMs));
      return `($${params.length - 1}, $1, $${params.length}, 1)`;
    });
    const rows: { scope: string; calls: number }[] = await this.db.query(
      `INSERT INTO tool_rate_windows (scope, tool, window_start, calls) VALUES ${values.join(', ')}
       ON CONFLICT (scope, tool, window_start) DO UPDATE SET calls = tool_rate_windows.calls + 1
       RETURNING scope, calls`,
      params,
    );
    for (const s of scopes) {
      const calls = rows.find((row) => row.scope === s.key)?.calls ?? 0;
      if (calls > s.limit.limit) {
        return { allowed: false, scope: s.kind, retryAfterMs: s.window.leftMs };
      }
    }
    return { allowed: true };
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
