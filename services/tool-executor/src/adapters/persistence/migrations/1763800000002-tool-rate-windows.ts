import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Fixed-window call counters for tool rate limits, shared by every executor instance. */
export class ToolRateWindows1763800000002 implements MigrationInterface {
  name = 'ToolRateWindows1763800000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tool_rate_windows (
        scope text NOT NULL,
        tool text NOT NULL,
        window_start timestamptz NOT NULL,
        calls integer NOT NULL,
        PRIMARY KEY (scope, tool, window_start)
      )`);
    await q.query(`CREATE INDEX tool_rate_windows_start ON tool_rate_windows (window_start)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE tool_rate_windows`);
  }
}
