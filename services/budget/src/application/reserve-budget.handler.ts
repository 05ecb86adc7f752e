import { Inject, Injectable } from '@nestjs/common';
import type { BudgetDecision, BudgetWarningNotice, ReserveBudget } from '@tether/contracts';
import { InjectConfig } from '@tether/service-kit';
import { ensureCounters, lockCounters } from '../adapters/persistence/budget-counters.sql';
import { BudgetDb, type Sql } from '../adapters/persistence/budget.db';
import {
  insertReservation,
  markRefused,
  storedDecision,
} from '../adapters/persistence/budget-reservations.sql';
import { recordHold } from '../adapters/persistence/reservation-hold.sql';
import { decideReservation, type ReservationVerdict } from '../domain/budget.decider';
import { counterKey } from '../domain/budget.counters';
import { periodsOf } from '../domain/budget.periods';
import { applicableCaps } from '../domain/cap.selection';
import { everyCounterOf } from '../domain/counter.deltas';
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
    const owner = { ...req, ...periods };
    // 1. The row first: a second request with this id waits here for the first, then replays it.
    // The caps and the counters that exist come back with it.
    const start = await insertReservation(
      sql,
      {
        ...owner,
        amountUsd: usdDecimal(req.amountUsd ?? 0),
        createdAt: now,
        expiresAt: new Date(now.getTime() + this.config.holdMs),
      },
      everyCounterOf(owner),
    );
    if (!start.inserted) return { replay: await this.replay(sql, req.reservationId) };
    // 2. The caps that apply, each with its counter.
    const caps = applicableCaps(owner, start.caps);
    // 3-4. Counters exist for every cap (created before any is locked), and are locked in one order.
    const missing = caps.filter((c) => !start.counters.has(counterKey(c)));
    if (missing.length > 0) await ensureCounters(sql, missing);
    const counters = await lockCounters(sql, caps);
    // 5. Decide on what the locked counters say.
    const checked = caps.map((c) => ({ ...c, ...counters.get(counterKey(c))! }));
    const verdict = decideReservation(checked, req.amountUsd, this.config.warnShare);
    if (!verdict.granted) {
      await markRefused(sql, req.reservationId, verdict.refusal);
      return { verdict };
    }
    const warnings = await recordHold(sql, {
      reservationId: req.reservationId,
      runId: req.runId,
      counters: caps,
      amountNanos: toNanos(verdict.amountUsd),
      warnings: verdict.warnings,
      at: now,
    });
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
