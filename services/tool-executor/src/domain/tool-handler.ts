/** What a tool gets besides its arguments. */
export interface ToolContext {
  tenantId: string;
  runId: string;
  userId: string;
  callId: string;
  /** `<runId>:<callId>`: the same for every attempt of one call, so the tool can dedupe. */
  idempotencyKey: string;
  signal: AbortSignal;
}

export type ToolHandler = (args: Record<string, unknown>, ctx: ToolContext) => Promise<unknown>;

/** A tool's own refusal (bad arguments, a cap): reported to the model, never retried. */
export class ToolRefusal extends Error {
  constructor(
    message: string,
    readonly reason = 'invalid_arguments',
  ) {
    super(message);
    this.name = 'ToolRefusal';
  }
}

/**
 * A tool that failed. `retryable` says whether trying again could succeed (a 503, a reset
 * connection) — it is only acted on for tools declared idempotent.
 */
export class ToolFailure extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ToolFailure';
  }
}

/** A set of in-process tools, by name. */
export interface ToolPack {
  name: string;
  tools: Record<string, ToolHandler>;
}
