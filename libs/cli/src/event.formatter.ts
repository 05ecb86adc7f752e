import { isTerminalType, type TerminalEventType, type TetherEvent } from '@tether/contracts';

export interface FormatOptions {
  /** Epoch ms the offsets count from: the run's first event. */
  startMs: number;
  color: boolean;
}

/** Longest excerpt of arguments, results and texts on an event line. */
export const EXCERPT_CHARS = 80;
const TYPE_WIDTH = 19;

const ANSI = {
  dim: 2,
  bold: 1,
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
} as const;
export type Style = keyof typeof ANSI;

export function paint(text: string, style: Style, on: boolean): string {
  return on ? `\u001b[${ANSI[style]}m${text}\u001b[0m` : text;
}

/** One readable line per event: offset from the run's start, type, and what happened. */
export function formatEvent(event: TetherEvent, options: FormatOptions): string {
  const offset = formatOffset(Date.parse(event.time) - options.startMs).padStart(9);
  const type = paint(event.type.padEnd(TYPE_WIDTH), styleOf(event), options.color);
  return `${paint(offset, 'dim', options.color)}  ${type} ${summarize(event)}`.trimEnd();
}

/** The closing lines of a run: outcome, reason, duration, then the answer (or the message). */
export function formatOutcome(event: TetherEvent, durationMs: number, color: boolean): string {
  if (!isTerminal(event)) return '';
  const { outcome, reason, message } = event.data;
  const ok = outcome === 'success';
  const head = paint(`${ok ? '✔' : '✖'} ${outcome}`, ok ? 'green' : 'red', color);
  const body = event.type === 'run.completed' ? event.data.output : message;
  return `${head} (${reason}) in ${formatDuration(durationMs)}\n${body}`;
}

export function isTerminal(event: TetherEvent): event is TetherEvent<TerminalEventType> {
  return isTerminalType(event.type);
}

/** Process exit code for a run that ended with this event: 0 only for a successful outcome. */
export function exitCodeOf(event: TetherEvent | undefined): 0 | 1 {
  return event && isTerminal(event) && event.data.outcome === 'success' ? 0 : 1;
}

export function summarize(event: TetherEvent): string {
  switch (event.type) {
    case 'run.started': {
      const d = event.data;
      return `${d.agent} (${d.release}) ${d.mode} for ${d.userId}${d.roles.length ? ` [${d.roles.join(',')}]` : ''}: ${excerpt(d.input)}`;
    }
    case 'model.requested': {
      const d = event.data;
      return `step ${d.step}${d.attempt > 1 ? ` attempt ${d.attempt}` : ''} · ${d.provider}/${d.model}`;
    }
    case 'model.responded': {
      const d = event.data;
      const said = d.toolCalls?.length
        ? d.toolCalls.map((c) => `${c.name}(${excerpt(c.args)})`).join(', ')
        : excerpt(d.text ?? '');
      const cost = d.costUsd > 0 ? ` · $${d.costUsd.toFixed(4)}` : '';
      return `step ${d.step} → ${said} · ${d.usage.inputTokens}+${d.usage.outputTokens} tok${cost} · ${Math.round(d.latencyMs)}ms`;
    }
    case 'model.failed': {
      const d = event.data;
      return `step ${d.step} attempt ${d.attempt} · ${excerpt(d.error, false)} (${d.retryable ? 'retryable' : 'final'})`;
    }
    case 'guardrail.triggered': {
      const d = event.data;
      return `${d.ruleId} at ${d.stage}: ${d.action}${d.detail ? ` · ${excerpt(d.detail, false)}` : ''}`;
    }
    case 'tool.requested': {
      const d = event.data;
      return `${d.tool} ${excerpt(d.args)} · tier ${d.tier} · ${d.callId}`;
    }
    case 'tool.denied': {
      const d = event.data;
      return `${d.tool} · ${d.reason}: ${d.message}`;
    }
    case 'tool.started': {
      const d = event.data;
      return `${d.tool} attempt ${d.attempt}${d.dryRun ? ' (dry-run)' : ''}`;
    }
    case 'tool.completed': {
      const d = event.data;
      return `${d.tool} → ${excerpt(d.result)} · ${Math.round(d.latencyMs)}ms${d.dryRun ? ' (dry-run)' : ''}`;
    }
    case 'tool.failed': {
      const d = event.data;
      return `${d.tool} · ${d.reason}: ${excerpt(d.error, false)} (${d.retryable ? 'retryable' : 'final'})`;
    }
    case 'approval.requested': {
      const d = event.data;
      return `${d.tool} ${excerpt(d.args)} · ${d.approvalId} · ${d.quorum} approver(s) until ${d.expiresAt}`;
    }
    case 'approval.granted': {
      const d = event.data;
      return `${d.approvalId} by ${d.approverId}${d.editedArgs ? ` with ${excerpt(d.editedArgs)}` : ''}${d.reason ? `: ${d.reason}` : ''}`;
    }
    case 'approval.denied': {
      const d = event.data;
      return `${d.approvalId} by ${d.approverId}${d.reason ? `: ${d.reason}` : ''}`;
    }
    case 'approval.expired': {
      const d = event.data;
      return `${d.approvalId} (${d.callId})${d.action === 'escalate' ? ' → escalated' : ''}`;
    }
    case 'tool.drafted': {
      const d = event.data;
      return `${d.tool} ${excerpt(d.args)} · drafted for a person (${d.draftId}), not performed`;
    }
    case 'review.requested': {
      const d = event.data;
      return `${d.tool} ${excerpt(d.args)} · sampled for review (${d.reviewId})`;
    }
    case 'budget.reserved': {
      const d = event.data;
      return `$${d.amountUsd.toFixed(4)} · ${d.reservationId}${d.callId ? ` · ${d.callId}` : ''}`;
    }
    case 'budget.warning': {
      const d = event.data;
      return `${d.cap}: $${d.spentUsd.toFixed(2)} of $${d.limitUsd.toFixed(2)} (${Math.round(d.share * 100)}%)`;
    }
    case 'budget.exceeded': {
      const d = event.data;
      return `${d.cap}: $${d.requestedUsd.toFixed(4)} asked, cap $${d.limitUsd.toFixed(2)}`;
    }
    case 'run.escalated':
      return `${event.data.reason}: ${event.data.message}`;
    case 'run.completed':
      return `${terminalHead(event)} · ${excerpt(event.data.output)}`;
    case 'run.failed':
      return terminalHead(event);
    case 'run.aborted': {
      const d = event.data;
      return `${terminalHead(event)}${d.limit ? ` (${d.limit}${d.limitValue !== undefined ? ` = ${d.limitValue}` : ''})` : ''}`;
    }
    case 'run.cancelled':
      return `${terminalHead(event)} (by ${event.data.requestedBy})`;
    case 'run.rejected': {
      const problems = event.data.problems?.length ? ` [${event.data.problems.join('; ')}]` : '';
      return `${terminalHead(event)}${problems}`;
    }
    default: {
      const never: never = event;
      return excerpt((never as { data: unknown }).data);
    }
  }
}

function terminalHead(event: TetherEvent<TerminalEventType>): string {
  return `${event.data.outcome} · ${event.data.reason}: ${event.data.message}`;
}

/**
 * A one-line excerpt: JSON for values (strings quoted unless `quote` is false), whitespace
 * collapsed, cut at EXCERPT_CHARS with an ellipsis.
 */
export function excerpt(value: unknown, quote = true): string {
  let text: string;
  if (typeof value === 'string' && !quote) text = value;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS - 1)}…` : text;
}

/** `+0.042s`, `+12.300s`, `+2m05.1s` */
export function formatOffset(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const abs = Math.abs(Number.isFinite(ms) ? ms : 0);
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(3)}s`;
  const tenths = Math.round(abs / 100);
  const seconds = ((tenths % 600) / 10).toFixed(1).padStart(4, '0');
  return `${sign}${Math.floor(tenths / 600)}m${seconds}s`;
}

/** `420ms`, `1.23s`, `2m05s` */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)}s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

function styleOf(event: TetherEvent): Style {
  if (isTerminal(event)) return event.data.outcome === 'success' ? 'green' : 'red';
  const family = event.type.slice(0, event.type.indexOf('.'));
  switch (family) {
    case 'model':
      return 'cyan';
    case 'tool':
      return event.type === 'tool.denied' || event.type === 'tool.failed' ? 'red' : 'yellow';
    case 'approval':
      return 'magenta';
    case 'budget':
    case 'guardrail':
      return 'blue';
    default:
      return 'bold';
  }
}
