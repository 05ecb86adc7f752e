import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { SwitchFlipped, TOOL_NAME_PATTERN } from '@tether/contracts';

export class ToolParams {
  @ApiProperty({ example: 'issue_refund' })
  @Matches(TOOL_NAME_PATTERN, { message: 'tool must be a tool name as agents declare it' })
  tool!: string;
}

/** `PUT /v1/switches/tools/:tool`: the new state and why; who is the key's subject. */
export class FlipBody extends PickType(SwitchFlipped, ['enabled', 'reason'] as const) {
  @ApiProperty({ description: 'false switches the tool off for the tenant.' })
  override enabled!: boolean;
  @ApiProperty({ maxLength: 1024, example: 'incident 42: refunds misfire' })
  override reason!: string;
}

export class ToolSwitchDoc {
  @ApiProperty() tool!: string;
  @ApiProperty({
    enum: ['tenant', 'all'],
    description: '`all`: set by the cluster operators for every tenant; read-only here.',
  })
  scope!: 'tenant' | 'all';
  @ApiProperty() enabled!: boolean;
  @ApiProperty() by!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiPropertyOptional({ description: 'The `switch.flipped` audit record of this value.' })
  flipId?: string;
}

export class ToolSwitchListDoc {
  @ApiProperty({ type: [ToolSwitchDoc] }) items!: ToolSwitchDoc[];
}
