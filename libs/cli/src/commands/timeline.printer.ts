import type {
  ApprovalView,
  GuardrailTriggerView,
  ModelCallView,
  RunTimeline,
  StepView,
  ToolCallView,
} from '@tether/sdk';
import { excerpt, formatDuration, formatOffset, paint, type Style } from '../event.formatter';
import { usd } from './budget.printer';
import { runHeader, when } from './runs.printer';

/** One line of the timeline: when (null: a detail of the line above), how deep, what. */
interface Line {
  at: string | null;
  depth: number;
  text: string;
  style?: Style;
}

const OFFSET_WIDTH = 9;

/**
 * A run as `tether trace` prints it: the header, then each model turn with its attempts, the tool
 * calls it proposed (with their approvals and guardrail triggers), each line offset from the run's
 * start; then the answer, or the end user's message when the run did not succeed.
 */
export function timelineLines(t: RunTimeline, color: boolean): string[] {
  const origin = originOf(t);
  const offset = (at: string | null) => {
    const ms = at === null ? NaN : Date.parse(at);
    return Number.isNaN(ms) || origin === undefined ? '' : formatOffset(ms - origin);
  };
  const render = ({ at, depth, text, style }: Line) => {
    const body = `${'  '.repeat(depth)}${style ? paint(text, style, color) : text}`;
    return `${paint(offset(at).padStart(OFFSET_WIDTH), 'dim', color)}  ${body}`.trimEnd();
  };
  const { run } = t;
  const body = bodyLines(t, offset);
  return [
    ...runHeader(run),
    '',
    ...(body.length
      ? body.map(render)
      : [run.outcome !== null ? 'no model turns' : 'no steps projected yet']),
    ...(run.output != null ? ['', 'answer:', run.output] : []),
    ...(run.message && run.outcome !== 'success' ? ['', `message: ${run.message}`] : []),
  ];
}

/** Offsets count from the run's start (its first event). */
function originOf(t: RunTimeline): number | undefined {
  const start = t.run.startedAt ?? t.run.createdAt;
  return start === null ? undefined : Date.parse(start);
}

/** `+1.234s` from the run's start, or '' when the time is not known. */
type Offset = (at: string | null) => string;

function bodyLines(t: RunTimeline, offset: Offset): Line[] {
  const place = placer(t);
  const callIds = new Set(t.toolCalls.map((c) => c.callId));
  const byStep = new Map<
    number,
    { calls: ToolCallView[]; approvals: ApprovalView[]; guards: GuardrailTriggerView[] }
  >();
  const at = (step: number) => {
    let entry = byStep.get(step);
    if (!entry) byStep.set(step, (entry = { calls: [], approvals: [], guards: [] }));
    return entry;
  };
  for (const c of t.toolCalls) at(place.call(c)).calls.push(c);
  for (const a of t.approvals)
    if (a.callId === null || !callIds.has(a.callId))
      at(place.time(a.requestedAt)).approvals.push(a);
  for (const g of t.guardrails)
    if (g.callId === null || !callIds.has(g.callId)) at(place.time(g.at)).guards.push(g);
  for (const s of t.steps) at(s.step);
  for (const c of t.modelCalls) at(c.step);

  const lines: Line[] = [];
  for (const step of [...byStep.keys()].sort((a, b) => a - b)) {
    const { calls, approvals, guards } = byStep.get(step)!;
    // Step 0 holds what came before the first model turn (an input guardrail, say).
    const depth = step === 0 ? 0 : 1;
    if (step > 0) {
      const row = t.steps.find((s) => s.step === step);
      const attempts = t.modelCalls.filter((c) => c.step === step);
      lines.push(stepLine(step, row, attempts), ...attempts.map(attemptLine));
      if (row?.text) lines.push({ at: null, depth, text: `said: ${excerpt(row.text, false)}` });
    }
    for (const call of calls)
      lines.push(
        ...callLines(call, depth),
        ...t.approvals
          .filter((a) => a.callId === call.callId)
          .map((a) => approvalLine(a, depth + 1, offset)),
        ...t.guardrails.filter((g) => g.callId === call.callId).map((g) => guardLine(g, depth + 1)),
      );
    lines.push(...approvals.map((a) => approvalLine(a, depth, offset)));
    lines.push(...guards.map((g) => guardLine(g, depth)));
  }
  return lines;
}

/** Which step each row belongs to; 0 before the first model turn. */
function placer(t: RunTimeline) {
  const starts = new Map<number, number>();
  for (const s of t.steps) if (s.startedAt) starts.set(s.step, Date.parse(s.startedAt));
  for (const c of t.modelCalls)
    if (c.requestedAt && !starts.has(c.step)) starts.set(c.step, Date.parse(c.requestedAt));
  const ordered = [...starts.entries()].sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  const time = (iso: string | null): number => {
    const ms = iso === null ? NaN : Date.parse(iso);
    if (Number.isNaN(ms)) return ordered.at(-1)?.[0] ?? 0;
    let step = 0;
    for (const [n, start] of ordered) if (start <= ms) step = n;
    return step;
  };
  return {
    time,
    // A denied call's row has no step (tool.denied does not carry one); the run domain names every
    // call it proposes `call_<step>_<index>`, which places it even when times tie.
    call: (c: ToolCallView) =>
      c.step ?? (Number(/^call_(\d+)_\d+$/.exec(c.callId)?.[1]) || time(firstTime(c))),
  };
}

function firstTime(c: ToolCallView): string | null {
  return c.requestedAt ?? c.startedAt ?? c.endedAt;
}

function stepLine(step: number, row: StepView | undefined, attempts: ModelCallView[]): Line {
  const model = row?.model ?? attempts.at(-1)?.model ?? attempts.at(-1)?.requestedModel;
  const failed = attempts.filter((c) => c.status === 'failed').length || (row?.failures ?? 0);
  const tries = Math.max(attempts.length, row?.attempts ?? 0);
  const parts = [
    `step ${step}`,
    model ?? null,
    tries > 1 ? `${tries} attempts${failed ? `, ${failed} failed` : ''}` : null,
    row?.toolCalls ? `${row.toolCalls} tool call(s) proposed` : null,
  ];
  return {
    at: row?.startedAt ?? attempts[0]?.requestedAt ?? null,
    depth: 0,
    text: parts.filter((p) => p !== null).join(' · '),
    style: 'bold',
  };
}

function attemptLine(c: ModelCallView): Line {
  const who = `model #${c.attempt} ${c.provider ? `${c.provider}/` : ''}${c.model ?? c.requestedModel ?? '-'}`;
  switch (c.status) {
    case 'failed':
      return {
        at: c.requestedAt,
        depth: 1,
        text: `${who} · failed (${c.retryable ? 'retryable' : 'final'}): ${excerpt(c.error ?? '-', false)}`,
        style: 'red',
      };
    case 'requested':
      return { at: c.requestedAt, depth: 1, text: `${who} · no answer yet`, style: 'yellow' };
    case 'responded': {
      const cached = c.cachedInputTokens ? ` (${c.cachedInputTokens} cached)` : '';
      const parts = [
        who,
        c.latencyMs === null ? null : formatDuration(c.latencyMs),
        `${c.inputTokens ?? 0}+${c.outputTokens ?? 0} tok${cached}`,
        c.costUsd === null ? null : usd(c.costUsd),
        c.finishReason,
      ];
      return { at: c.requestedAt, depth: 1, text: parts.filter((p) => p !== null).join(' · ') };
    }
    default: {
      const never: never = c.status;
      return { at: c.requestedAt, depth: 1, text: `${who} · ${String(never)}` };
    }
  }
}

const CALL_STYLE: Partial<Record<ToolCallView['status'], Style>> = {
  completed: 'green',
  failed: 'red',
  denied: 'red',
  awaiting_approval: 'magenta',
  drafted: 'yellow',
};

/** The call, then its arguments, why it was asked about, refused or failed, and its result. */
function callLines(c: ToolCallView, depth: number): Line[] {
  const head = [
    `tool ${c.tool ?? '-'}`,
    c.tier === null ? null : `tier ${c.tier}`,
    c.status.replace('_', ' '),
    c.latencyMs === null ? null : formatDuration(c.latencyMs),
    c.costUsd ? usd(c.costUsd) : null,
    c.dryRun ? 'dry-run' : null,
    c.guardrail ? `guardrail: ${c.guardrail}` : null,
  ];
  const detail = (text: string, style?: Style): Line => ({
    at: null,
    depth: depth + 1,
    text,
    style,
  });
  const why = c.reason ? `${c.reason}${c.error ? `: ${excerpt(c.error, false)}` : ''}` : c.error;
  return [
    {
      at: firstTime(c),
      depth,
      text: head.filter((p) => p !== null).join(' · '),
      style: CALL_STYLE[c.status],
    },
    ...(c.args ? [detail(`args ${excerpt(c.args)}`)] : []),
    ...(c.permission && c.permission !== 'allow'
      ? [detail(`permission ${c.permission}${c.rule ? ` by ${excerpt(c.rule, false)}` : ''}`)]
      : []),
    ...(why ? [detail(why, 'red')] : []),
    ...(c.deniedBy ? [detail(`denied by ${excerpt(c.deniedBy, false)}`, 'red')] : []),
    ...(c.status === 'completed' && c.result !== null && c.result !== undefined
      ? [detail(`result ${excerpt(c.result)}`)]
      : []),
  ];
}

/** Who asked and who decided, when (from the run's start), and why. */
function approvalLine(a: ApprovalView, depth: number, offset: Offset): Line {
  const by = `by ${a.approverId ?? '-'}`;
  const decided = {
    pending: `pending until ${when(a.expiresAt)} UTC`,
    expired: `expired at ${offset(a.decidedAt ?? a.expiresAt) || when(a.expiresAt)}`,
    granted: `granted ${by} at ${offset(a.decidedAt) || '-'}`,
    denied: `denied ${by} at ${offset(a.decidedAt) || '-'}`,
  }[a.status];
  const parts = [
    `approval ${a.approvalId}`,
    `${decided}${a.edited ? ' (arguments edited)' : ''}${a.reason ? `: ${excerpt(a.reason, false)}` : ''}`,
    a.requestedBy ? `asked by ${a.requestedBy}` : null,
    a.risk ? `risk ${a.risk}` : null,
    a.quorum !== null && a.quorum > 1 ? `quorum ${a.quorum}` : null,
  ];
  return {
    at: a.requestedAt,
    depth,
    text: parts.filter((p) => p !== null).join(' · '),
    style: 'magenta',
  };
}

function guardLine(g: GuardrailTriggerView, depth: number): Line {
  const detail = g.detail ? ` · ${excerpt(g.detail, false)}` : '';
  return {
    at: g.at,
    depth,
    text: `guardrail ${g.ruleId ?? '-'} at ${g.stage ?? '-'}: ${g.action ?? '-'}${detail}`,
    style: 'blue',
  };
}
