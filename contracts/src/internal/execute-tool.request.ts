import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Min,
  ValidateNested,
} from 'class-validator';
import { Type } from 'class-transformer';
import { TOKEN_PATTERN } from '../subjects';
import { RUN_ID_PATTERN, RunMode, Tier } from '../vocabulary';
import type { TetherEvent } from '../events/envelope';
import { parseAsFast, type Parsed } from '../parse';

export class ToolReservation {
  @IsString() id!: string;
  /** The tool's price per call, as reserved. */
  @IsNumber() @Min(0) amountUsd!: number;
}

/**
 * Orchestrator → tool-executor, core request/reply on `<P>.svc.tool-executor.tool.execute`.
 * Internal to Tether (not part of the public bus contract). `expectedSeq` is the stream sequence
 * of the run's last event as the orchestrator knows it: the executor appends `tool.started`
 * expecting it, which proves nothing happened to the run in between.
 */
export class ExecuteTool {
  @Matches(TOKEN_PATTERN) tenantId!: string;
  @Matches(RUN_ID_PATTERN) runId!: string;
  @IsString() callId!: string;
  @IsString() tool!: string;
  @IsIn(Object.values(Tier)) tier!: Tier;
  @IsObject() args!: Record<string, unknown>;
  @IsInt() @Min(0) expectedSeq!: number;
  @IsString() agent!: string;
  @IsString() release!: string;
  @IsString() userId!: string;
  @IsArray() @IsString({ each: true }) roles!: string[];
  @IsIn(Object.values(RunMode)) mode!: RunMode;
  /** Id of the `tool.requested` event, the causation of `tool.started`. */
  @IsString() causationId!: string;
  /**
   * The orchestrator saw the call already started (it took the run over from a worker that
   * died): the executor must never start it again, only resolve it from the log.
   */
  @IsBoolean() resume!: boolean;
  /** The budget held for a priced tool: `tool.completed` carries its cost and settles it. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ToolReservation)
  reservation?: ToolReservation;
}

/** The events of the run after `expectedSeq`, in order, ending at stream sequence `seq`. */
export interface ToolExecuted {
  seq: number;
  events: TetherEvent[];
}

export const TOOL_EXECUTOR = { service: 'tool-executor', execute: 'tool.execute' } as const;

/** Validates a `tool.execute` request, on the executor's hot path (see `parseAsFast`). */
export function parseExecuteTool(plain: unknown): Parsed<ExecuteTool> {
  return parseAsFast(ExecuteTool, `internal/${TOOL_EXECUTOR.execute}.schema.json`, plain);
}
