import { Body, Controller, Get, Param, Put, UseGuards, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Caller } from '../../application/api-key.registry';
import { ToolSwitchBoard } from '../../application/tool-switch-board';
import { TENANT_WIDE_ROLES } from '../../domain/run-access';
import { ApiKeyGuard } from './api-key.guard';
import { CurrentCaller, Roles } from './caller.decorator';
import { KeyThrottlerGuard } from './key-throttler.guard';
import { ApiProblems } from './problem.doc';
import { requestPipe } from './request.pipe';
import { FlipBody, ToolParams, ToolSwitchDoc, ToolSwitchListDoc } from './switch.dto';

/**
 * The kill switches of the caller's tenant. A flip here holds for that tenant only; switches for
 * every tenant are the cluster operators' (`tether tools …` on the bus) and are shown read-only.
 */
@ApiTags('kill switches')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblems(401, 403, 429, 503)
@Controller('v1/switches/tools')
@UseGuards(ApiKeyGuard, KeyThrottlerGuard)
@UsePipes(requestPipe)
@Roles(...TENANT_WIDE_ROLES)
export class SwitchesController {
  constructor(private readonly board: ToolSwitchBoard) {}

  @Get()
  @ApiOperation({ summary: "The tool switches that hold for the caller's tenant" })
  @ApiOkResponse({ type: ToolSwitchListDoc })
  async list(@CurrentCaller() caller: Caller): Promise<ToolSwitchListDoc> {
    return { items: await this.board.list(caller.tenantId) };
  }

  @Put(':tool')
  @ApiOperation({
    summary: "Switch a tool off (or back on) for the caller's tenant",
    description:
      "Recorded first as `switch.flipped` in `_CTL` (who: the key's subject; why: `reason`), then written to the switches every tool-executor watches: calls already decided are refused before they run. Switching a tool back on here does not lift a switch for every tenant.",
  })
  @ApiOkResponse({ type: ToolSwitchDoc })
  @ApiProblems(400)
  flip(@CurrentCaller() caller: Caller, @Param() { tool }: ToolParams, @Body() body: FlipBody) {
    return this.board.flip(caller, tool, body.enabled, body.reason);
  }
}
