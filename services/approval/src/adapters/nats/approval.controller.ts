import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import type { JsMsg, Msg } from 'nats';
import {
  ApprovalOp,
  CommandName,
  ReasonCode,
  isToken,
  parseCommand,
  parseJson,
  type ApprovalDecideRequest,
  type ApprovalListQuery,
} from '@tether/contracts';
import { NotFoundError, ValidationError, isErrorNamed } from '@tether/errors';
import { CommandRejections } from '@tether/service-kit';
import { ApprovalDecisions } from '../../application/approval-decisions';
import { ApprovalQueue } from '../persistence/approval.queue';

/** Errors that are a decision's answer (already audited), not a reason to try again. */
const REFUSALS = ['ForbiddenError', 'NotFoundError', 'IllegalStateError', 'ValidationError'];

function body(msg: Msg): Record<string, unknown> {
  const parsed = parseJson(msg.data);
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null)
    throw new ValidationError('request body must be a JSON object');
  return parsed.value as Record<string, unknown>;
}

function tenantOf(b: Record<string, unknown>): string {
  if (!isToken(b.tenantId)) throw new ValidationError('tenantId must be a tenant id');
  return b.tenantId;
}

/**
 * Decisions from the bus (`<P>.cmd.<tenant>.approval.decide`, durable `approval-decisions`) and
 * the queue over request/reply (`<P>.svc.approval.list|get|decide`, used by the gateway).
 */
@Controller()
export class ApprovalController {
  constructor(
    private readonly decisions: ApprovalDecisions,
    private readonly queue: ApprovalQueue,
    private readonly rejections: CommandRejections,
  ) {}

  @EventPattern(CommandName.ApprovalDecide)
  async onDecide(@Payload() msg: JsMsg): Promise<void> {
    const { tenantId, requestId, reject } = this.rejections.contextOf(msg);
    if (!tenantId)
      return reject(ReasonCode.InvalidCommand, 'the tenant in the subject is not a valid id');
    const json = parseJson(msg.data);
    const parsed = json.ok ? parseCommand(CommandName.ApprovalDecide, json.value) : json;
    if (!parsed.ok) return reject(ReasonCode.InvalidCommand, parsed.problems.join('; '));
    try {
      await this.decisions.decide(
        { tenantId, ...parsed.value },
        'bus',
        requestId ?? `seq-${msg.seq}`,
      );
    } catch (err) {
      if (!REFUSALS.some((name) => isErrorNamed(err, name))) throw err;
    }
  }

  @MessagePattern(ApprovalOp.Decide)
  decide(@Payload() msg: Msg) {
    const b = body(msg);
    const tenantId = tenantOf(b);
    const { tenantId: _tenant, ...command } = b;
    const parsed = parseCommand(CommandName.ApprovalDecide, command);
    if (!parsed.ok) throw new ValidationError('invalid decision', parsed.problems);
    const req: ApprovalDecideRequest = { tenantId, ...parsed.value };
    return this.decisions.decide(req, 'http');
  }

  @MessagePattern(ApprovalOp.List)
  list(@Payload() msg: Msg) {
    const b = body(msg);
    const q: ApprovalListQuery = {
      tenantId: tenantOf(b),
      ...(typeof b.status === 'string' && { status: b.status as ApprovalListQuery['status'] }),
      ...(typeof b.kind === 'string' && { kind: b.kind as ApprovalListQuery['kind'] }),
      ...(typeof b.runId === 'string' && { runId: b.runId }),
      ...(b.limit !== undefined && { limit: Number(b.limit) }),
      ...(typeof b.cursor === 'string' && { cursor: b.cursor }),
    };
    return this.queue.list(q);
  }

  @MessagePattern(ApprovalOp.Get)
  async get(@Payload() msg: Msg) {
    const b = body(msg);
    const tenantId = tenantOf(b);
    const item = await this.queue.get(tenantId, String(b.approvalId));
    if (!item) throw new NotFoundError(`no approval ${String(b.approvalId)} in tenant ${tenantId}`);
    return item;
  }
}
