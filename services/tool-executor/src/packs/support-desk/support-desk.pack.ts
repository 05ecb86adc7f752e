import type { DataSource } from 'typeorm';
import { ToolRefusal, type ToolPack } from '../../domain/tool-handler';

/** The highest refund the assistant may ever issue, enforced here and by a CHECK constraint. */
export const MAX_REFUND_USD = 500;

function text(args: Record<string, unknown>, key: string, max = 200): string {
  const v = args[key];
  if (typeof v !== 'string' && typeof v !== 'number') throw new ToolRefusal(`${key} is required`);
  const s = String(v).trim();
  if (!s || s.length > max) throw new ToolRefusal(`${key} must be 1-${max} characters`);
  return s;
}

function amount(args: Record<string, unknown>): number {
  const v = Number(args.amount);
  if (!Number.isFinite(v) || v <= 0)
    throw new ToolRefusal('amount must be a positive number of dollars');
  return Math.round(v * 100) / 100;
}

export interface SupportDeskOptions {
  /** Base URL of the carrier's tracking API (`GET <url>/track/<orderId>`). */
  carrierApiUrl: string;
}

/**
 * The demo support desk: orders, policies, refund notes and refunds in Postgres, per tenant,
 * and parcel tracking through the carrier's HTTP API.
 */
export function supportDeskPack(db: DataSource, options: SupportDeskOptions): ToolPack {
  return {
    name: 'support-desk',
    tools: {
      async lookup_order(args, ctx) {
        const orderId = text(args, 'orderId', 40);
        const rows = await db.query(
          `SELECT order_id, status, total_usd, placed_at, shipped_at, carrier, items FROM support_orders WHERE tenant_id = $1 AND order_id = $2`,
          [ctx.tenantId, orderId],
        );
        if (!rows.length) return { found: false, orderId };
        const r = rows[0];
        return {
          found: true,
          orderId: r.order_id,
          status: r.status,
          totalUsd: Number(r.total_usd),
          placedAt: r.placed_at,
          shippedAt: r.shipped_at,
          carrier: r.carrier,
          items: r.items,
        };
      },

      async search_policy(args, ctx) {
        const query = text(args, 'query', 200);
        const rows = await db.query(
          `SELECT policy_id, title, body FROM support_policies
           WHERE tenant_id = $1 AND (title ILIKE $2 OR body ILIKE $2) ORDER BY policy_id LIMIT 3`,
          [ctx.tenantId, `%${query.replace(/[%_\\]/g, (c) => '\\' + c)}%`],
        );
        return {
          matches: rows.map((r: { policy_id: string; title: string; body: string }) => ({
            id: r.policy_id,
            title: r.title,
            text: r.body,
          })),
        };
      },

      async draft_refund_note(args, ctx) {
        const orderId = text(args, 'orderId', 40);
        const note = text(args, 'note', 2000);
        const usd = amount(args);
        // The idempotency key makes a repeated call return the first draft instead of a second one.
        await db.query(
          `INSERT INTO support_refund_notes (idempotency_key, tenant_id, order_id, amount_usd, note) VALUES ($1,$2,$3,$4,$5)
           ON CONFLICT (idempotency_key) DO NOTHING`,
          [ctx.idempotencyKey, ctx.tenantId, orderId, usd, note],
        );
        return { drafted: true, orderId, amountUsd: usd, draftId: ctx.idempotencyKey };
      },

      async track_parcel(args, ctx) {
        const orderId = text(args, 'orderId', 40);
        const url = `${options.carrierApiUrl.replace(/\/$/, '')}/track/${encodeURIComponent(orderId)}`;
        const res = await fetch(url, {
          signal: ctx.signal,
          headers: { 'Idempotency-Key': ctx.idempotencyKey },
        });
        if (!res.ok) throw new Error(`carrier answered ${res.status}`);
        return await res.json();
      },

      async issue_refund(args, ctx) {
        const orderId = text(args, 'orderId', 40);
        const usd = amount(args);
        if (usd > MAX_REFUND_USD)
          throw new ToolRefusal(
            `refunds over $${MAX_REFUND_USD} are never issued by the assistant`,
            'cap_exceeded',
          );
        const order = await db.query(
          `SELECT total_usd FROM support_orders WHERE tenant_id = $1 AND order_id = $2`,
          [ctx.tenantId, orderId],
        );
        if (!order.length) throw new ToolRefusal(`order ${orderId} does not exist`, 'not_found');
        if (usd > Number(order[0].total_usd))
          throw new ToolRefusal('a refund cannot exceed the order total', 'cap_exceeded');
        await db.query(
          `INSERT INTO support_refunds (idempotency_key, tenant_id, order_id, amount_usd) VALUES ($1,$2,$3,$4)
           ON CONFLICT (idempotency_key) DO NOTHING`,
          [ctx.idempotencyKey, ctx.tenantId, orderId, usd],
        );
        return { refunded: true, orderId, amountUsd: usd, refundId: ctx.idempotencyKey };
      },
    },
  };
}
