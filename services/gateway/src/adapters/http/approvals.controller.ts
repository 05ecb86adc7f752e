import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  UseGuards,
  UsePipes,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { APPROVER_ROLES } from '@tether/contracts';
import { ApprovalQueueClient } from '../../application/approval-queue.client';
import type { Caller } from '../../application/api-key.registry';
import { Role } from '../../domain/roles';
import { ApiKeyGuard } from './api-key.guard';
import {
  ApprovalDecisionResultDoc,
  ApprovalListParams,
  ApprovalPageDoc,
  ApprovalParams,
  ApprovalQueueItemDoc,
  DecisionBody,
} from './approval.dto';
import { CurrentCaller, Roles } from './caller.decorator';
import { KeyThrottlerGuard } from './key-throttler.guard';
import { ApiProblems } from './problem.doc';
import { requestPipe } from './request.pipe';

/** The approval queue of the caller's tenant, forwarded to the approval service. */
@ApiTags('approvals')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblems(401, 403, 429, 503)
@Controller('v1/approvals')
@UseGuards(ApiKeyGuard, KeyThrottlerGuard)
@UsePipes(requestPipe)
@Roles(Role.Approver, Role.Operator, Role.Admin)
export class ApprovalsController {
  constructor(private readonly queue: ApprovalQueueClient) {}

  @Get()
  @ApiOperation({ summary: 'List the approval queue' })
  @ApiOkResponse({ type: ApprovalPageDoc })
  @ApiProblems(400)
  list(@CurrentCaller() caller: Caller, @Query() query: ApprovalListParams) {
    return this.queue.list({ ...query, tenantId: caller.tenantId });
  }

  @Get(':approvalId')
  @ApiOperation({ summary: 'One approval, with its context and votes' })
  @ApiOkResponse({ type: ApprovalQueueItemDoc })
  @ApiProblems(400, 404)
  get(@CurrentCaller() caller: Caller, @Param() { approvalId }: ApprovalParams) {
    return this.queue.get(caller.tenantId, approvalId);
  }

  @Post(':approvalId/decision')
  @HttpCode(200)
  // Any key of the tenant: the approval service owns who may decide, and audits every refusal
  // (`approval.refused` in _CTL). Refused here, a non-approver's attempt would leave no record.
  @Roles()
  @ApiOperation({
    summary: 'Approve or deny, as the subject of the key',
    description: `The approval service refuses a key without one of the roles ${APPROVER_ROLES.join(', ')} and the decision of a run the approver started (403), another tenant's approval (404), one already decided or expired (409), and edited arguments the tool refuses (422). Every refusal is audited.`,
  })
  @ApiOkResponse({ type: ApprovalDecisionResultDoc })
  @ApiProblems(400, 404, 409, 413, 422)
  decide(
    @CurrentCaller() caller: Caller,
    @Param() { approvalId }: ApprovalParams,
    @Body() body: DecisionBody,
  ) {
    return this.queue.decide({
      tenantId: caller.tenantId,
      approvalId,
      decision: body.decision,
      approverId: caller.subject,
      roles: caller.roles,
      ...(body.reason !== undefined && { reason: body.reason }),
      ...(body.editedArgs !== undefined && { editedArgs: body.editedArgs }),
    });
  }
}
