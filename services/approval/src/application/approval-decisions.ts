import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { AgentRegistry } from '@tether/agents';
import { createToolArgsValidator } from '@tether/agents';
import {
  ApprovalStatus,
  QueueKind,
  type ApprovalDecideRequest,
  type ApprovalDecisionResult,
} from '@tether/contracts';
import {
  ForbiddenError,
  IllegalStateError,
  NotFoundError,
  ValidationError,
  type TetherError,
} from '@tether/errors';
import { fold } from '@tether/run-domain';
import { InjectLogger } from '@tether/service-kit';
import { ApprovalBus } from '../adapters/nats/approval.bus';
import { ApprovalQueue, toItem, type QueueRow } from '../adapters/persistence/approval.queue';
import { editProblems } from '../domain/edited-args.policy';
import { castVote, type VoteOutcome } from '../domain/vote.policy';
import { AGENTS, NOTIFIER, type ApprovalNotifier } from './ports';

export type Via = 'bus' | 'http';

/** A refusal the caller gets as a typed error, after it is audited. */
type Refused = { error: TetherError };

/**
 * One approver's decision, whichever way it came (the `approval.decide` command on the bus, or
 * HTTP through the gateway). Decided with the queue entry locked, so concurrent votes count one
 * by one; the outcome is appended to the run before the entry is saved, so a crash in between
 * leaves the entry waiting and the redelivered decision appends again (deduplicated).
 */
@Injectable()
export class ApprovalDecisions {
  private readonly validate = createToolArgsValidator();

  constructor(
    private readonly queue: ApprovalQueue,
    private readonly bus: ApprovalBus,
    @Inject(AGENTS) private readonly agents: AgentRegistry,
    @Inject(NOTIFIER) private readonly notifier: ApprovalNotifier,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  async decide(
    req: ApprovalDecideRequest,
    via: Via,
    requestId?: string,
  ): Promise<ApprovalDecisionResult> {
    const now = new Date();
    const result = await this.queue.withLocked(req.tenantId, req.approvalId, async (row, tx) => {
      if (!row) {
        return refused(
          new NotFoundError(`no approval ${req.approvalId} in tenant ${req.tenantId}`),
        );
      }
      const outcome = castVote(
        {
          kind: row.kind as QueueKind,
          status: row.status as ApprovalStatus,
          requestedBy: row.requestedBy,
          quorum: row.quorum,
          votes: row.votes,
          expiresAt: row.expiresAt.toISOString(),
          ...(row.editedArgs && { editedArgs: row.editedArgs }),
        },
        {
          approverId: req.approverId,
          roles: req.roles,
          decision: req.decision,
          ...(req.reason !== undefined && { reason: req.reason }),
          ...(req.editedArgs !== undefined && { editedArgs: req.editedArgs }),
          time: now.toISOString(),
        },
      );
      if (outcome.outcome === 'refused') {
        return refused(
          outcome.code === 'forbidden'
            ? new ForbiddenError(outcome.message)
            : new IllegalStateError(outcome.message),
        );
      }
      if (outcome.outcome === 'repeated') {
        // A redelivered decision: finish what a crash may have cut short.
        if (row.status === ApprovalStatus.Granted || row.status === ApprovalStatus.Denied) {
          await this.appendOutcome(row, row.status, req);
        }
        return { row, outcome };
      }
      if ('editedArgs' in outcome && outcome.editedArgs && req.editedArgs) {
        const problems = editProblems(
          this.agents.get(row.agent),
          row.tool,
          await this.rolesOf(row),
          req.editedArgs,
          this.validate,
        );
        if (problems.length) {
          return refused(new ValidationError('the edited arguments are refused', problems));
        }
      }
      row.votes = outcome.votes;
      if (outcome.outcome === 'granted' || outcome.outcome === 'counted') {
        row.editedArgs = outcome.editedArgs ?? null;
      }
      if (outcome.outcome === 'granted' || outcome.outcome === 'denied') {
        const status =
          outcome.outcome === 'granted' ? ApprovalStatus.Granted : ApprovalStatus.Denied;
        await this.appendOutcome(row, status, req);
        row.status = status;
        row.decidedAt = now;
      } else if (outcome.outcome === 'resolved') {
        row.status = ApprovalStatus.Done;
        row.decidedAt = now;
      }
      await this.queue.save(tx, row);
      return { row, outcome };
    });

    if ('error' in result) {
      await this.bus.audit(
        {
          type: 'approval.refused',
          tenantId: req.tenantId,
          approvalId: req.approvalId,
          approverId: req.approverId,
          decision: req.decision,
          via,
          code: result.error.code,
          message: result.error.message,
        },
        requestId,
      );
      this.logger.warn(
        { approvalId: req.approvalId, approverId: req.approverId, code: result.error.code },
        `decision refused: ${result.error.message}`,
      );
      throw result.error;
    }
    const { row, outcome } = result;
    await this.after(row, outcome, req, via, requestId);
    return {
      approvalId: row.approvalId,
      status: row.status as ApprovalStatus,
      approvals: row.votes.filter((v) => v.decision === 'approve' && !v.superseded).length,
      quorum: row.quorum,
    };
  }

  private async after(
    row: QueueRow,
    outcome: VoteOutcome,
    req: ApprovalDecideRequest,
    via: Via,
    requestId?: string,
  ): Promise<void> {
    const final = row.status === ApprovalStatus.Granted || row.status === ApprovalStatus.Denied;
    if (final && row.kind === QueueKind.Approval) {
      await this.bus.resume(row.tenantId, row.runId, row.approvalId, `approval.${row.status}`);
    }
    if (outcome.outcome === 'repeated') return;
    if (outcome.outcome === 'counted') {
      await this.bus.audit(
        {
          type: 'approval.voted',
          tenantId: row.tenantId,
          approvalId: row.approvalId,
          approverId: req.approverId,
          decision: req.decision,
          via,
          message: `${outcome.approvals} of ${row.quorum} approvals`,
        },
        requestId,
      );
    }
    this.notifier.notify(
      outcome.outcome === 'counted' ? 'approval.voted' : `${row.kind}.${row.status}`,
      toItem(row),
    );
  }

  private async appendOutcome(
    row: QueueRow,
    status: ApprovalStatus,
    req: ApprovalDecideRequest,
  ): Promise<void> {
    if (row.kind !== QueueKind.Approval) return;
    const base = { approvalId: row.approvalId, callId: row.callId, approverId: req.approverId };
    const reason = req.reason !== undefined ? { reason: req.reason } : {};
    if (status === ApprovalStatus.Granted) {
      await this.bus.appendOutcome(row.tenantId, row.runId, 'approval.granted', {
        ...base,
        ...reason,
        ...(row.editedArgs && { editedArgs: row.editedArgs }),
      });
    } else {
      await this.bus.appendOutcome(row.tenantId, row.runId, 'approval.denied', {
        ...base,
        ...reason,
      });
    }
  }

  /** The roles of the user the run acts for: edited arguments must pass their permissions too. */
  private async rolesOf(row: QueueRow): Promise<string[]> {
    const events = await this.bus.store.read(row.tenantId, row.runId);
    return fold(events.map((e) => e.event)).roles;
  }
}

function refused(error: TetherError): Refused {
  return { error };
}
