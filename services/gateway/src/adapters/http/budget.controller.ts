import { Body, Controller, Get, Param, Put, Query, UseGuards, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Caller } from '../../application/api-key.registry';
import { BudgetServiceClient } from '../../application/budget-service.client';
import { CAP_ROLES, SPEND_ROLES } from '../../domain/budget-access';
import { ApiKeyGuard } from './api-key.guard';
import {
  BudgetCapChangedDoc,
  BudgetCapListDoc,
  CapParams,
  SetCapBody,
  SpendParams,
  SpendReportDoc,
} from './budget.dto';
import { CurrentCaller, Roles } from './caller.decorator';
import { KeyThrottlerGuard } from './key-throttler.guard';
import { ApiProblems } from './problem.doc';
import { requestPipe } from './request.pipe';

/**
 * Spend and budget caps of the caller's tenant, forwarded to the budget service. A cap set here
 * holds for that tenant only; caps for every tenant are the cluster operators' (`tether budget set
 * … --global` on the bus) and are shown read-only, as kill switches are.
 */
@ApiTags('budget')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblems(401, 403, 429, 503)
@Controller('v1')
@UseGuards(ApiKeyGuard, KeyThrottlerGuard)
@UsePipes(requestPipe)
@Roles(...CAP_ROLES)
export class BudgetController {
  constructor(private readonly budget: BudgetServiceClient) {}

  @Get('spend')
  @Roles(...SPEND_ROLES)
  @ApiOperation({
    summary: "Settled spend of the caller's tenant, grouped",
    description:
      'Over UTC days `from`..`to` (both included), with what is held for calls under way. A key without the operator or admin role sees only its own spend, and may not group by user or tenant (403).',
  })
  @ApiOkResponse({ type: SpendReportDoc })
  @ApiProblems(400)
  spend(@CurrentCaller() caller: Caller, @Query() query: SpendParams) {
    return this.budget.spend(caller, query);
  }

  @Get('budget/caps')
  @ApiOperation({
    summary: "The caps that hold for the caller's tenant: its own and the global ones",
    description:
      'Global caps (tenant `_all`) hold for every tenant and are listed to every tenant; they are set on the bus only and are read-only over HTTP.',
  })
  @ApiOkResponse({ type: BudgetCapListDoc })
  async caps(@CurrentCaller() caller: Caller): Promise<BudgetCapListDoc> {
    return { items: await this.budget.caps(caller) };
  }

  @Put('budget/caps/:cap')
  @ApiOperation({
    summary: "Set or remove (limitUsd: null) a cap of the caller's tenant",
    description:
      "Recorded first as `budget.cap.changed` in `_CTL` (who: the key's subject; why: `reason`), then in force for the next reservation. The change is always for the key's tenant, whatever its roles: global caps (tenant `_all`, for every tenant) are set on the bus only (`tether budget set <cap> <usd> --global`, which needs access to the bus) and are read-only over HTTP, so a `global_daily` or `global_monthly` cap asked for here goes to the budget service for the key's tenant, which refuses it (422), as it refuses any cap that does not fit its scope.",
  })
  @ApiOkResponse({ type: BudgetCapChangedDoc })
  @ApiProblems(400, 422)
  setCap(@CurrentCaller() caller: Caller, @Param() { cap }: CapParams, @Body() body: SetCapBody) {
    return this.budget.setCap(caller, cap, body);
  }
}
