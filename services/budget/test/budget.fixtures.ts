import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BUDGET_SERVICE,
  type BudgetOp,
  type CapName,
  type EventData,
  type EventType,
  type ReserveBudget,
  type TetherEvent,
} from '@tether/contracts';
import { EventStore, newId, requestService } from '@tether/event-store';
import {
  anEvent,
  eventually,
  routeNotices,
  startIsolatedService,
  type IsolatedService,
} from '@tether/testing';
import { budgetService } from '../src/budget.module';
import type { Clock } from '../src/application/ports';
import { loadConfig } from '../src/config';

/** A clock the test moves. */
export class MovableClock implements Clock {
  private at: number;
  constructor(iso: string) {
    this.at = Date.parse(iso);
  }
  now(): Date {
    return new Date(this.at);
  }
  set(iso: string): void {
    this.at = Date.parse(iso);
  }
  advance(ms: number): void {
    this.at += ms;
  }
}

export interface BudgetUnderTest extends IsolatedService {
  clock: MovableClock;
  ask<T>(op: BudgetOp, body: unknown): Promise<T>;
  /** Appends an event to a run of the log, as the orchestrator or tool-executor would. */
  append<T extends EventType>(
    type: T,
    data: EventData<T>,
    run: { tenantId: string; runId: string; time?: string },
  ): Promise<TetherEvent>;
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}

/** The budget service on its own prefix and database, with a movable clock. */
export async function startBudget(
  label: string,
  startAt: string,
  env: NodeJS.ProcessEnv = {},
): Promise<BudgetUnderTest> {
  const clock = new MovableClock(startAt);
  const svc = await startIsolatedService(label, (base) =>
    budgetService(loadConfig({ ...base, ...env }), { clock }),
  );
  const store = new EventStore(svc.sut.nc, svc.prefix);
  const router = await routeNotices(svc.sut.nc, svc.prefix);
  return {
    ...svc,
    async stop() {
      await router.stop();
      await svc.stop();
    },
    clock,
    ask: (op, body) => requestService(svc.sut.nc, svc.prefix, BUDGET_SERVICE, op, body, 15_000),
    async append(type, data, run) {
      const event = anEvent(type, data, {
        id: newId('evt'),
        tenantId: run.tenantId,
        runId: run.runId,
        time: run.time ?? clock.now().toISOString(),
      }) as TetherEvent;
      await store.append(event, undefined);
      return event;
    },
    sql: (text, params) => svc.sut.dataSource.query(text, params),
  };
}

let seq = 0;
/** A unique id for this test file's runs and reservations. */
export function uniqueId(prefix: string): string {
  seq += 1;
  return `${prefix}_${process.pid}_${seq}`;
}

export function aReservation(over: Partial<ReserveBudget> = {}): ReserveBudget {
  return {
    tenantId: 'acme',
    runId: 'run_budget_1',
    userId: 'u_88',
    agent: 'support',
    reservationId: uniqueId('res'),
    kind: 'model',
    item: 'openai:gpt-4o',
    amountUsd: 0.01,
    priceVersion: 'prices-2026-11',
    ...over,
  };
}

export function aCap(
  tenantId: string,
  cap: CapName,
  limitUsd: number | null,
  subject?: string,
): Record<string, unknown> {
  return {
    tenantId,
    cap,
    limitUsd,
    by: 'ops@example.com',
    reason: 'test',
    ...(subject && { subject }),
  };
}

/** Counter totals of one scope and period, as numbers. */
export async function counter(b: BudgetUnderTest, scope: string, period: string) {
  const [row] = await b.sql<{ spent: string; held: string }>(
    `SELECT spent_usd AS spent, held_usd AS held FROM budget_counters WHERE scope = $1 AND period = $2`,
    [scope, period],
  );
  return row ? { spent: Number(row.spent), held: Number(row.held) } : undefined;
}

/** Waits for the ledger (fed asynchronously from the log) to hold `n` reservations matching `where`. */
export async function ledgerRows(
  b: BudgetUnderTest,
  n: number,
  where: string,
  params: unknown[] = [],
) {
  await eventually(async () => {
    const [row] = await b.sql<{ n: string }>(
      `SELECT count(*) AS n FROM budget_reservations WHERE ${where}`,
      params,
    );
    return Number(row.n) === n ? true : undefined;
  }, `${n} ledger rows where ${where}`);
}

export async function statusOf(b: BudgetUnderTest, reservationId: string) {
  const [row] = await b.sql<{ status: string; settled: string | null }>(
    `SELECT status, settled_usd AS settled FROM budget_reservations WHERE reservation_id = $1`,
    [reservationId],
  );
  return (
    row && { status: row.status, settledUsd: row.settled === null ? null : Number(row.settled) }
  );
}

/** A webhook receiver on a local port: it keeps the JSON bodies it gets. */
export class WebhookReceiver {
  readonly received: Array<{ type: string; tenantId: string; data: Record<string, unknown> }> = [];
  private readonly server: Server;

  constructor() {
    this.server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk) => (text += chunk));
      req.on('end', () => {
        this.received.push(JSON.parse(text));
        res.writeHead(204).end();
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  of(type: string) {
    return this.received.filter((m) => m.type === type);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
