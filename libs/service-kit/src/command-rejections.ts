import { Injectable } from '@nestjs/common';
import { headers as natsHeaders, type JsMsg, type NatsConnection } from 'nats';
import type { Logger } from 'pino';
import {
  Header,
  isToken,
  parseCommandSubject,
  subjects,
  type CommandRejected,
} from '@tether/contracts';
import { encodeJson, newId } from '@tether/event-store';
import { InjectConfig, InjectLogger, InjectNats } from './tokens';
import type { BaseConfig } from './config';

export interface CommandContext {
  tenantId: string | undefined;
  requestId: string | undefined;
  reject(reason: string, message: string): Promise<void>;
}

export interface Rejection {
  tenantId: string;
  subject: string;
  requestId?: string;
  /** Stream sequence of the command, for dedupe when no `Nats-Msg-Id` was given. */
  commandSeq: number;
  reason: string;
  message: string;
  body: Uint8Array;
}

/**
 * Records `command.rejected` on `<P>.ctl.<tenant>.rejected` for commands that cannot be tied to a
 * run. Deduped by the command's id, so a redelivered bad command is recorded once.
 */
@Injectable()
export class CommandRejections {
  constructor(
    @InjectNats() private readonly nc: NatsConnection,
    @InjectConfig() private readonly config: BaseConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  /**
   * What every command handler needs first: the tenant from the subject (undefined when it is not
   * a valid id), the command's id, and a `reject` that records this command as rejected.
   */
  contextOf(msg: JsMsg): CommandContext {
    const tenant = parseCommandSubject(this.config.prefix, msg.subject)?.tenant;
    const tenantId = isToken(tenant) ? tenant : undefined;
    const requestId = msg.headers?.get(Header.MsgId) || undefined;
    const reject = (reason: string, message: string) =>
      this.record({
        tenantId: tenantId ?? 'invalid',
        subject: msg.subject,
        requestId,
        commandSeq: msg.seq,
        reason,
        message,
        body: msg.data,
      });
    return { tenantId, requestId, reject };
  }

  async record(r: Rejection): Promise<void> {
    const record: CommandRejected = {
      id: newId('rej'),
      type: 'command.rejected',
      time: new Date().toISOString(),
      tenantId: r.tenantId,
      subject: r.subject,
      requestId: r.requestId,
      reason: r.reason,
      message: r.message,
      body: Buffer.from(r.body).toString('utf8').slice(0, 4096),
    };
    const h = natsHeaders();
    h.set(Header.Type, 'command.rejected');
    await this.nc
      .jetstream()
      .publish(subjects.rejectedCommands(this.config.prefix, r.tenantId), encodeJson(record), {
        msgID: `rej:${r.requestId ?? `seq-${r.commandSeq}`}`,
        headers: h,
      });
    this.logger.warn({ tenantId: r.tenantId, subject: r.subject, reason: r.reason }, r.message);
  }
}
