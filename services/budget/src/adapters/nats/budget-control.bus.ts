import { Injectable } from '@nestjs/common';
import { headers as natsHeaders, type NatsConnection } from 'nats';
import { Header, subjects, type BudgetCapChanged, type BudgetSpike } from '@tether/contracts';
import { encodeJson } from '@tether/event-store';
import { InjectConfig, InjectNats, type BaseConfig } from '@tether/service-kit';

/** What the budget service records on `_CTL`: cap changes (the audit trail) and spend spikes. */
@Injectable()
export class BudgetControlBus {
  constructor(
    @InjectNats() private readonly nc: NatsConnection,
    @InjectConfig() private readonly config: BaseConfig,
  ) {}

  async capChanged(record: BudgetCapChanged): Promise<void> {
    await this.publish(subjects.budgetCaps(this.config.prefix, record.tenantId), record);
  }

  /** A spike's id is per tenant and hour, so instances racing to report one store it once. */
  async spike(record: BudgetSpike): Promise<void> {
    await this.publish(subjects.budgetSpikes(this.config.prefix, record.tenantId), record);
  }

  /** Resolves once JetStream stored it; the record's id deduplicates a retried publish. */
  private async publish(subject: string, record: { id: string; type: string }): Promise<void> {
    const h = natsHeaders();
    h.set(Header.Type, record.type);
    await this.nc
      .jetstream()
      .publish(subject, encodeJson(record), { msgID: record.id, headers: h });
  }
}
