import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { headers as natsHeaders, type NatsConnection } from 'nats';
import {
  Header,
  SCHEMA_VERSION,
  subjects,
  type ApprovalAudit,
  type EventData,
  type RunResume,
  type TetherEvent,
} from '@tether/contracts';
import {
  EventStore,
  currentTraceparent,
  encodeJson,
  injectTraceContext,
  newId,
} from '@tether/event-store';
import { InjectConfig, InjectNats, type BaseConfig } from '@tether/service-kit';
import { SERVICE, VERSION } from '../../config';

type Outcome = 'approval.granted' | 'approval.denied' | 'approval.expired';

/** Where the approval service writes: the run's log, the resume command, the audit in `_CTL`. */
@Injectable()
export class ApprovalBus {
  constructor(
    @InjectNats() private readonly nc: NatsConnection,
    @InjectConfig() private readonly config: BaseConfig,
    readonly store: EventStore,
  ) {}

  /**
   * Appends the outcome of an approval to its run. The event id comes from the approval, so
   * appending again after a crash is deduplicated by JetStream (and a late duplicate changes
   * nothing in the run: only a call still waiting can be released). It joins the run's trace,
   * not the decider's: one trace per run, however long the human took.
   */
  async appendOutcome<T extends Outcome>(
    tenantId: string,
    runId: string,
    type: T,
    data: EventData<T>,
  ): Promise<void> {
    const event = {
      id: `evt_${createHash('sha256').update(`${data.approvalId}:${type}`).digest('hex').slice(0, 32)}`,
      type,
      schemaVersion: SCHEMA_VERSION[type],
      runId,
      tenantId,
      time: new Date().toISOString(),
      source: `${SERVICE}@${VERSION}`,
      traceparent: (await this.store.traceparentOf(tenantId, runId)) ?? currentTraceparent(),
      data,
    } as TetherEvent;
    await this.store.append(event, undefined);
  }

  /**
   * Asks an orchestrator to drive the run again; once per approval outcome. The decision's own
   * trace context goes along: the resumed run links to it (see `inRunTrace`).
   */
  async resume(tenantId: string, runId: string, approvalId: string, cause: string): Promise<void> {
    const body: RunResume = { runId, cause };
    const h = natsHeaders();
    injectTraceContext(h);
    await this.nc
      .jetstream()
      .publish(subjects.runResume(this.config.prefix, tenantId), encodeJson(body), {
        msgID: `resume:${approvalId}:${cause}`,
        headers: h,
      });
  }

  async audit(record: Omit<ApprovalAudit, 'id' | 'time'>, requestId?: string): Promise<void> {
    const full: ApprovalAudit = { id: newId('aud'), time: new Date().toISOString(), ...record };
    const h = natsHeaders();
    h.set(Header.Type, record.type);
    await this.nc
      .jetstream()
      .publish(subjects.approvalAudit(this.config.prefix, record.tenantId), encodeJson(full), {
        headers: h,
        // A redelivered bus command is audited once; every HTTP attempt is its own record.
        msgID: requestId ? `audit:${requestId}` : full.id,
      });
  }
}
