import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER, type ServiceDefinition } from '@tether/service-kit';
import { BudgetControlBus } from './adapters/nats/budget-control.bus';
import { BudgetController } from './adapters/nats/budget.controller';
import { LedgerEventsConsumer } from './adapters/nats/ledger-events.consumer';
import { BudgetDb } from './adapters/persistence/budget.db';
import { BudgetTables1763700000020 } from './adapters/persistence/migrations/1763700000020-budget-tables';
import { BudgetReservations1764300000020 } from './adapters/persistence/migrations/1764300000020-budget-reservations';
import { BudgetTimers } from './adapters/schedule/budget.timers';
import { WebhookBudgetNotifier } from './adapters/webhook/budget-webhook.notifier';
import { CapChanges } from './application/cap-changes';
import { HoldExpiry } from './application/hold-expiry';
import { LedgerProjectionHandler } from './application/ledger-projection.handler';
import {
  CLOCK,
  NOTIFIER,
  silentNotifier,
  systemClock,
  type BudgetNotifier,
  type Clock,
} from './application/ports';
import { ReserveBudgetHandler } from './application/reserve-budget.handler';
import { SpendReports } from './application/spend-reports';
import { SpikeCheck } from './application/spike-check';
import type { BudgetConfig } from './config';

export interface BudgetPorts {
  /** Tests move time to cross days, months, hold expiries and hours. */
  clock?: Clock;
}

class NotifierDrain implements OnApplicationShutdown {
  constructor(@Inject(NOTIFIER) private readonly notifier: BudgetNotifier) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.notifier instanceof WebhookBudgetNotifier) await this.notifier.drain();
  }
}

@Module({})
export class BudgetModule {
  static register(config: BudgetConfig, ports: BudgetPorts = {}): DynamicModule {
    return {
      module: BudgetModule,
      controllers: [BudgetController],
      providers: [
        { provide: CLOCK, useValue: ports.clock ?? systemClock },
        {
          provide: NOTIFIER,
          useFactory: (logger: Logger) =>
            config.webhook ? new WebhookBudgetNotifier(config.webhook, logger) : silentNotifier,
          inject: [LOGGER],
        },
        NotifierDrain,
        BudgetDb,
        BudgetControlBus,
        ReserveBudgetHandler,
        LedgerProjectionHandler,
        HoldExpiry,
        CapChanges,
        SpendReports,
        SpikeCheck,
        LedgerEventsConsumer,
        BudgetTimers,
      ],
    };
  }
}

export function budgetService(config: BudgetConfig, ports: BudgetPorts = {}): ServiceDefinition {
  return {
    config,
    module: BudgetModule.register(config, ports),
    migrations: [BudgetTables1763700000020, BudgetReservations1764300000020],
  };
}
