import { Injectable } from '@nestjs/common';
import { headers as natsHeaders, type NatsConnection } from 'nats';
import { Header, subjects, type AlertFired } from '@tether/contracts';
import { encodeJson } from '@tether/event-store';
import { InjectConfig, InjectNats, type BaseConfig } from '@tether/service-kit';

/** Records fired alerts on `_CTL` (`<P>.ctl.<tenant>.alert`). */
@Injectable()
export class AlertControlBus {
  constructor(
    @InjectNats() private readonly nc: NatsConnection,
    @InjectConfig() private readonly config: BaseConfig,
  ) {}

  /**
   * Resolves once JetStream stored it. The id is the `Nats-Msg-Id`, so a publish retried after
   * a lost ack (within the stream's 2-minute duplicate window) stores nothing new.
   */
  async publish(alert: AlertFired): Promise<void> {
    const h = natsHeaders();
    h.set(Header.Type, alert.type);
    await this.nc
      .jetstream()
      .publish(subjects.alerts(this.config.prefix, alert.tenantId), encodeJson(alert), {
        msgID: alert.id,
        headers: h,
      });
  }
}
