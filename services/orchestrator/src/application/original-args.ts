import { redact } from '@tether/redaction';
import type { PendingCall } from '@tether/run-domain';

/** More than a busy orchestrator has calls in flight; past it the oldest are forgotten. */
const MAX_REMEMBERED = 10_000;

/**
 * The arguments of calls as the model proposed them. The log holds them redacted, so the real
 * values live only here, in the worker that decided the call (the most recent calls are kept).
 */
export class OriginalArgs {
  private readonly byCall = new Map<string, Record<string, unknown>>();

  remember(runId: string, callId: string, args: Record<string, unknown>): void {
    if (this.byCall.size >= MAX_REMEMBERED) {
      this.byCall.delete(this.byCall.keys().next().value as string);
    }
    this.byCall.set(`${runId}:${callId}`, args);
  }

  /**
   * The arguments to send for `call`: its own from the log when nothing in them was redacted or
   * an approver replaced them; the remembered originals when the log holds their redacted form;
   * undefined when the originals are gone (another worker decided the call and died).
   */
  argsFor(runId: string, call: PendingCall): Record<string, unknown> | undefined {
    if (!call.redacted) return call.args;
    const remembered = this.byCall.get(`${runId}:${call.callId}`);
    if (remembered === undefined) return undefined;
    // Redacting is paid only here, for the few calls whose arguments held something sensitive.
    const recorded = JSON.stringify(redact(remembered).value);
    return JSON.stringify(call.args) === recorded ? remembered : call.args;
  }
}
