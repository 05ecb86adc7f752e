import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tables of the demo support-desk tool pack, seeded for the demo tenant `acme`. */
export class SupportDesk1763700000001 implements MigrationInterface {
  name = 'SupportDesk1763700000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE support_orders (
        tenant_id text NOT NULL,
        order_id text NOT NULL,
        customer text NOT NULL,
        status text NOT NULL,
        total_usd numeric(12,2) NOT NULL,
        placed_at timestamptz NOT NULL,
        shipped_at timestamptz,
        carrier text,
        items jsonb NOT NULL,
        PRIMARY KEY (tenant_id, order_id)
      )`);
    await q.query(`
      CREATE TABLE support_policies (
        tenant_id text NOT NULL,
        policy_id text NOT NULL,
        title text NOT NULL,
        body text NOT NULL,
        PRIMARY KEY (tenant_id, policy_id)
      )`);
    await q.query(`
      CREATE TABLE support_refund_notes (
        idempotency_key text PRIMARY KEY,
        tenant_id text NOT NULL,
        order_id text NOT NULL,
        amount_usd numeric(12,2) NOT NULL,
        note text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE support_refunds (
        idempotency_key text PRIMARY KEY,
        tenant_id text NOT NULL,
        order_id text NOT NULL,
        amount_usd numeric(12,2) NOT NULL CHECK (amount_usd > 0 AND amount_usd <= 500),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      INSERT INTO support_orders (tenant_id, order_id, customer, status, total_usd, placed_at, shipped_at, carrier, items) VALUES
        ('acme', '1042', 'Dana Whitfield', 'shipped', 129.90, '2026-10-30T09:12:00Z', '2026-11-03T14:05:00Z', 'UPS', '[{"sku":"KB-01","name":"Mechanical keyboard","qty":1}]'),
        ('acme', '1043', 'Luis Ortega', 'processing', 59.00, '2026-11-18T17:40:00Z', NULL, NULL, '[{"sku":"MS-07","name":"Wireless mouse","qty":2}]'),
        ('acme', '1044', 'Priya Raman', 'delivered', 849.00, '2026-10-02T08:00:00Z', '2026-10-04T10:30:00Z', 'DHL', '[{"sku":"MN-27","name":"27-inch monitor","qty":1}]'),
        ('globex', '1042', 'Other Tenant Customer', 'shipped', 10.00, '2026-10-01T00:00:00Z', '2026-10-02T00:00:00Z', 'USPS', '[]')`);
    await q.query(`
      INSERT INTO support_policies (tenant_id, policy_id, title, body) VALUES
        ('acme', 'refunds', 'Refund policy', 'Refunds are issued to the original payment method within 30 days of delivery. Refunds over $500 are never issued by the assistant; a human handles them.'),
        ('acme', 'shipping', 'Shipping policy', 'Orders ship within 3 business days. Tracking numbers are emailed when the parcel leaves the warehouse.'),
        ('acme', 'returns', 'Returns policy', 'Items can be returned within 30 days in their original packaging.')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DROP TABLE support_refunds, support_refund_notes, support_policies, support_orders`,
    );
  }
}
