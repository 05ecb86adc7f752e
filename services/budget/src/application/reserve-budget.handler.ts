import { Inject, Injectable } from '@nestjs/common';
import type { BudgetDecision, BudgetWarningNotice, ReserveBudget } from '@tether/contracts';
import { InjectConfig } from '@tether/service-kit';
import {
  addToLockedCounters,
  ensureCounters,
  lockCounters,
} from '../adapters/persistence/budget-counters.sql';
import { BudgetDb, type Sql } from '../adapters/persistence/budget.db';
import { capsOf } from '../adapters/persistence/budget-caps.sql';
import {
  insertReservation,
  markHeld,
  markRefused,
  storedDecision,
} from '../adapters/persistence/budget-reservations.sql';
import { claimWarnings } from '../adapters/persistence/budget-warnings.sql';
import { decideReservation, type ReservationVerdict } from '../domain/budget.decider';
import { counterKey } from '../domain/budget.counters';
import { periodsOf } from '../domain/budget.periods';
import { applicableCaps } from '../domain/cap.selection';
import { CounterDeltas } from '../domain/counter.deltas';
import { ReservationStatus } from '../domain/ledger.fold';
import { roundUsd, toNanos, usdDecimal } from '../domain/usd';
import type { BudgetConfig } from '../config';
import { refusalNotice, warningNotice } from './budget.notices';
import { LedgerProjectionHandler } from './ledger-projection.handler';
import { CLOCK, NOTIFIER, type BudgetNotifier, type Clock } from './ports';

type Outcome = { replay: BudgetDecision } | { verdict: ReservationVerdict };

/**
 * Reservations: one Postgres transaction each, with every counter it reads locked, so any number
 * of requests and instances never hold more than a cap, and the same id always gets one answer.
 */
@Injectable()
export class ReserveBudgetHandler {
  constructor(
    private readonly db: BudgetDb,
    @InjectConfig() private readonly config: BudgetConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(NOTIFIER) private readonly notifier: BudgetNotifier,
    private readonly ledger: LedgerProjectionHandler,
  ) {}

  async reserve(req: ReserveBudget): Promise<BudgetDecision> {
    // Its own transaction, first: the hold below then counts the run's earlier calls at their cost.
    if (req.settles?.length) await this.ledger.settleReported(req.tenantId, req.runId, req.settles);
    const now = this.clock.now();
    const outcome = await this.db.transaction((sql) => this.decide(sql, req, now));
    if ('replay' in outcome) return outcome.replay;
    const { verdict } = outcome;
    if (!verdict.granted) {
      this.notifier.notify(refusalNotice(req, verdict.refusal, now));
      return {
        granted: false,
        reservationId: req.reservationId,
        refusal: verdict.refusal,
        replayed: false,
      };
    }
    const warnings: BudgetWarningNotice[] = verdict.warnings.map(({ scope: _scope, ...w }) => w);
    for (const w of warnings) this.notifier.notify(warningNotice(req, w, now));
    return {
      granted: true,
      reservationId: req.reservationId,
      amountUsd: verdict.amountUsd,
      priceVersion: req.priceVersion,
      warnings,
      replayed: false,
    };
  }

  private async decide(sql: Sql, req: ReserveBudget, now: Date): Promise<Outcome> {
    const periods = periodsOf(now);
    // 1. The row first: a second request with this id waits here for the first, then replays it.
    const inserted = await insertReservation(sql, {
      ...req,
      ...periods,
      amountUsd: usdDecimal(req.amountUsd ?? 0),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.config.holdMs),
    });
    if (!inserted) return { replay: await this.replay(sql, req.reservationId) };
    // 2. The caps that apply, each with its counter.
    const caps = applicableCaps({ ...req, ...periods }, await capsOf(sql, req.tenantId));
    // 3-4. Counters exist for every cap, and are locked in one order.
    await ensureCounters(sql, caps);
    const counters = await lockCounters(sql, caps);
    // 5. Decide on what the locked counters say.
    const checked = caps.map((c) => ({ ...c, ...counters.get(counterKey(c))! }));
    const verdict = decideReservation(checked, req.amountUsd, this.config.warnShare);
    if (!verdict.granted) {
      await markRefused(sql, req.reservationId, verdict.refusal);
      return { verdict };
    }
    const holds = new CounterDeltas();
    for (const c of caps) holds.add(c, 0n, toNanos(verdict.amountUsd));
    await addToLockedCounters(sql, holds.list());
    await markHeld(sql, req.reservationId, caps.map(counterKey));
    const warnings = await claimWarnings(sql, verdict.warnings, req.runId, now);
    return { verdict: { ...verdict, warnings } };
  }

  private async replay(sql: Sql, reservationId: string): Promise<BudgetDecision> {
    const stored = await storedDecision(sql, reservationId);
    if (stored.status === ReservationStatus.Refused && stored.refusal)
      return { granted: false, reservationId, refusal: stored.refusal, replayed: true };
    return {
      granted: true,
      reservationId,
      amountUsd: roundUsd(stored.amountUsd),
      priceVersion: stored.priceVersion,
      warnings: [],
      replayed: true,
    };
  }
}
