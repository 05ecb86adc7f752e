import {
  IsBoolean,
  IsIn,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  NotEquals,
  ValidateIf,
} from 'class-validator';
import { ALL_TENANTS, SwitchTarget, TOKEN_PATTERN } from '../subjects';
import { TOOL_NAME_PATTERN } from '../vocabulary';

/**
 * `command.rejected` on `<P>.ctl.<tenant>.rejected` (stream _CTL): a command that could not be
 * tied to a run (unparseable JSON, no usable runId). Nothing is dropped silently.
 */
export class CommandRejected {
  @IsString() id!: string;
  @IsString() type!: 'command.rejected';
  @IsString() time!: string;
  @IsString() tenantId!: string;
  /** The subject the command arrived on. */
  @IsString() subject!: string;
  /** The command's `Nats-Msg-Id`, when it had one. */
  @IsOptional() @IsString() requestId?: string;
  @IsString() reason!: string;
  @IsString() message!: string;
  /** The first 4 KiB of the original body, as text. */
  @IsString() body!: string;
}

const NOT_BLANK = /\S/;
const BLANK = { message: '$property must not be empty' };

/**
 * The value of a key of the switches bucket (`<P>_SWITCHES`, key `tool.<tenant|_all>.<tool>`, see
 * `switchKey`). Written by the SDK and the CLI (`tether tools disable|enable`); every
 * tool-executor watches the bucket and keeps the values in memory. A deleted or purged key is
 * the same as `enabled: true`.
 */
export class SwitchSetting {
  /** false: the tool is switched off in this scope. */
  @IsBoolean() enabled!: boolean;
  /** Who flipped it (an operator's name or address). */
  @IsString() @Matches(NOT_BLANK, BLANK) @MaxLength(256) by!: string;
  /** Why, in the operator's words; shown in `tool.denied` and `tether tools switches`. */
  @IsString() @Matches(NOT_BLANK, BLANK) @MaxLength(1024) reason!: string;
  /** When (ISO 8601, the writer's clock). */
  @IsISO8601() at!: string;
  /**
   * The `switch.flipped` record of this flip (its `id`), so the value in effect can be matched to
   * its audit record. Optional: values written by hand (the `nats` CLI) have none.
   */
  @IsOptional() @IsString() flipId?: string;
}

/**
 * `switch.flipped` on `<P>.ctl.<tenant|_all>.switch.tool` (stream _CTL): the audit record of one
 * kill-switch flip, written before the switch itself so that no flip goes unrecorded.
 */
export class SwitchFlipped {
  /** `swf_` + ULID; also the message's `Nats-Msg-Id`. */
  @IsString() @IsNotEmpty() id!: string;
  @IsIn(['switch.flipped']) type!: 'switch.flipped';
  /** When the flip was made (ISO 8601). */
  @IsISO8601() time!: string;
  /** `all`: every tenant; `tenant`: only `tenantId`. */
  @IsIn(['all', 'tenant']) scope!: 'all' | 'tenant';
  /** Set exactly when `scope` is `tenant`. */
  @ValidateIf((o: SwitchFlipped) => o.scope === 'tenant')
  @Matches(TOKEN_PATTERN)
  @NotEquals(ALL_TENANTS, {
    message: `tenantId "${ALL_TENANTS}" is reserved: omit the tenant to mean every tenant`,
  })
  tenantId?: string;
  /** What was switched: a tool (the only target so far). */
  @IsIn(Object.values(SwitchTarget)) target!: SwitchTarget;
  /** The tool's name, as agents declare it. */
  @Matches(TOOL_NAME_PATTERN, {
    message: 'name must be a tool name: a letter, then up to 63 letters, digits, "_", "." or "-"',
  })
  name!: string;
  /** The new state: false switches the tool off. */
  @IsBoolean() enabled!: boolean;
  /** Who flipped it. */
  @IsString() @Matches(NOT_BLANK, BLANK) @MaxLength(256) by!: string;
  /** Why. */
  @IsString() @Matches(NOT_BLANK, BLANK) @MaxLength(1024) reason!: string;
}

/**
 * The approval service's audit of every decision that does not by itself become a run event:
 * on `<P>.ctl.<tenant>.approval` (stream _CTL), `<tenant>` being the decider's. `approval.voted`
 * is one approver's vote counted towards a quorum; `approval.refused` a decision turned down
 * (no approver role, the approver's own run, another tenant's or unknown approval, already
 * decided, edited arguments the tool refuses).
 */
export class ApprovalAudit {
  @IsString() id!: string;
  @IsIn(['approval.voted', 'approval.refused']) type!: 'approval.voted' | 'approval.refused';
  @IsString() time!: string;
  @IsString() tenantId!: string;
  @IsString() @MaxLength(128) approvalId!: string;
  @IsString() @MaxLength(128) approverId!: string;
  @IsIn(['approve', 'deny']) decision!: 'approve' | 'deny';
  /** How the decision arrived. */
  @IsIn(['bus', 'http']) via!: 'bus' | 'http';
  /** For a refusal: `forbidden`, `not_found`, `illegal_state` or `validation_failed`. */
  @IsOptional() @IsString() code?: string;
  @IsString() message!: string;
}
