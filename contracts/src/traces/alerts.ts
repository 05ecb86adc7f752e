import {
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
} from 'class-validator';
import { TOKEN_PATTERN } from '../subjects';

/** What an alert rule measures. */
export const AlertKind = {
  /** Failed tool calls over tool calls that finished (completed or failed). */
  ToolErrorRate: 'tool_error_rate',
  /** Aborted runs (all, or only some reasons such as `loop_detected`) over runs that ended. */
  AbortRate: 'abort_rate',
  /** Dollars spent in the window against the trailing average, or against a fixed amount. */
  CostSpike: 'cost_spike',
  /** The 99th percentile of model call latency or of run duration. */
  LatencyP99: 'latency_p99',
} as const;
export type AlertKind = (typeof AlertKind)[keyof typeof AlertKind];

/** The unit of an alert's `observed` and `threshold`. */
export const AlertUnit = { Ratio: 'ratio', Usd: 'usd', Ms: 'ms' } as const;
export type AlertUnit = (typeof AlertUnit)[keyof typeof AlertUnit];

/** Whose latency a `latency_p99` rule measures. */
export const LatencyOf = { ModelCall: 'model_call', Run: 'run' } as const;
export type LatencyOf = (typeof LatencyOf)[keyof typeof LatencyOf];

/** Rule names: lower-case letters, digits and `-`, as operators write them in the alerts file. */
export const ALERT_RULE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,63}$/;

/**
 * `alert.fired` on `<P>.ctl.<tenant>.alert` (stream _CTL), written by the trace-store: an agent
 * (or one release of it) of one tenant crossed an alert rule's threshold over a window of its
 * runs. At most one per rule, tenant, agent, release and window-length bucket, across instances;
 * the same record goes to the alerts webhook.
 */
export class AlertFired {
  /**
   * `alt_<bucket>_<hash>`: derived from the rule, tenant, agent, release and bucket, so every
   * instance that finds the same alert names it alike. Also the `Nats-Msg-Id` and the webhook id.
   */
  @IsString() @Matches(/^alt_[A-Za-z0-9_]{1,120}$/) id!: string;
  @IsIn(['alert.fired']) type!: 'alert.fired';
  /** When the trace-store found it (ISO 8601, the evaluator's clock); equals `windowEnd`. */
  @IsISO8601() time!: string;
  /** The rule's name (`tool-error-rate`, or one from the operator's alerts file). */
  @Matches(ALERT_RULE_NAME_PATTERN) rule!: string;
  @IsIn(Object.values(AlertKind)) kind!: AlertKind;
  @Matches(TOKEN_PATTERN) tenantId!: string;
  /** The agent whose runs crossed the threshold. */
  @IsString() @MaxLength(256) agent!: string;
  /** The release (`rel_` + 16 hex) when the rule looks at each release on its own; absent when it looks at the agent as a whole. */
  @IsOptional() @IsString() @MaxLength(256) release?: string;
  /** `latency_p99` only: whose latency was measured. */
  @IsOptional() @IsIn(Object.values(LatencyOf)) of?: LatencyOf;
  /** Start of the window measured (inclusive, ISO 8601). */
  @IsISO8601() windowStart!: string;
  /** End of the window measured (exclusive, ISO 8601). */
  @IsISO8601() windowEnd!: string;
  /** `ratio` (0..1) for the rates, `usd` for cost, `ms` for latency. */
  @IsIn(Object.values(AlertUnit)) unit!: AlertUnit;
  /** What was measured over the window, in `unit`. */
  @IsNumber() @Min(0) observed!: number;
  /** The value `observed` went above, in `unit`. */
  @IsNumber() @Min(0) threshold!: number;
  /** Tool calls, runs or model calls behind `observed` (for cost: the priced calls). */
  @IsInt() @Min(0) sampleSize!: number;
  /**
   * `cost_spike` only: dollars the group spent in a window this long, on average over the trailing
   * period compared with; 0 when it has no history there.
   */
  @IsOptional() @IsNumber() @Min(0) baselineUsd?: number;
  /** One line for people, e.g. "support (rel_3f…) on acme: 35% of 40 tool calls failed in 5 min (above 20%)". */
  @IsString() @MaxLength(1000) summary!: string;
}
