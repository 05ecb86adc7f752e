import { Type } from 'class-transformer';
import {
  IsArray,
  IsDefined,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { Outcome, REASON_PATTERN, RunExecution, RunMode } from '../vocabulary';

export class ModelRef {
  /** `openai`, `openai-compatible`, `anthropic` or `scripted`. */
  @IsString() provider!: string;
  /** The pinned model id the agent asks for. */
  @IsString() id!: string;
}

/** Limits in force for the run, copied from the agent's release so a replay enforces the same. */
export class RunLimits {
  @IsInt() @Min(1) maxSteps!: number;
  @IsInt() @Min(0) maxToolCalls!: number;
  /** Input + output tokens over the whole run. */
  @IsInt() @Min(1) maxTokens!: number;
  /** Dollars; absent means no dollar cap. */
  @IsOptional() @IsNumber() @Min(0) maxCostUsd?: number;
  /** Wall clock from `run.started`, in milliseconds. */
  @IsInt() @Min(1) timeoutMs!: number;
}

/** What the input classifier's model call cost, asked before the run started. */
export class ClassifierCharge {
  /** The exact model id that answered (or was asked). */
  @IsString() model!: string;
  @IsNumber() @Min(0) costUsd!: number;
  /** The budget reservation this call settles. */
  @IsOptional() @IsString() reservationId?: string;
}

export class RunStarted {
  @IsString() agent!: string;
  /** Content hash of the agent release the run executes (`rel_` + 16 hex). */
  @IsString() release!: string;
  @IsString() input!: string;
  @IsString() userId!: string;
  @IsArray() @IsString({ each: true }) roles!: string[];
  @IsIn(Object.values(RunMode)) mode!: RunMode;
  /** `async` when the run was started as one (its limits then carry the async wall-clock limit). */
  @IsOptional() @IsIn(Object.values(RunExecution)) execution?: RunExecution;
  // IsObject: ValidateNested alone lets a missing value or an array through.
  @IsObject() @ValidateNested() @Type(() => ModelRef) model!: ModelRef;
  @IsObject() @ValidateNested() @Type(() => RunLimits) limits!: RunLimits;
  @IsOptional() @IsObject() metadata?: Record<string, unknown>;
  /** The `Nats-Msg-Id` of the `run.start` command. */
  @IsOptional() @IsString() requestId?: string;
  /** Set when the agent's input classifier was asked: its call's cost and reservation. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ClassifierCharge)
  classifier?: ClassifierCharge;
}

abstract class TerminalData {
  @IsIn(Object.values(Outcome)) outcome!: Outcome;
  /** Machine-readable reason code (snake_case). */
  @Matches(REASON_PATTERN) reason!: string;
  /** A sentence fit for the end user. */
  @IsString() @MaxLength(2000) message!: string;
}

export class RunCompleted extends TerminalData {
  /** The final answer shown to the user. */
  @IsString() output!: string;
}

export class RunFailed extends TerminalData {
  /** Technical detail for operators (never shown to end users). */
  @IsOptional() @IsString() detail?: string;
}

export class RunAborted extends TerminalData {
  /** The limit that fired and its value, when a limit ended the run. */
  @IsOptional() @IsString() limit?: string;
  @IsOptional() @IsNumber() limitValue?: number;
}

export class RunCancelled extends TerminalData {
  @IsString() requestedBy!: string;
}

export class RunRejected extends TerminalData {
  /** Each validation problem, one per line, for the client. */
  @IsOptional() @IsArray() @IsString({ each: true }) problems?: string[];
  @IsOptional() @IsString() requestId?: string;
  @IsOptional() @IsString() agent?: string;
}

export class RunEscalated {
  @Matches(REASON_PATTERN) reason!: string;
  /** What a human needs to take over. */
  @IsString() message!: string;
  @IsOptional() @IsString() callId?: string;
  @IsOptional() @IsDefined() context?: unknown;
}
