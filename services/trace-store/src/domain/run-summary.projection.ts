import {
  isTerminalRunStatus,
  isTerminalType,
  newRunView,
  type RunView,
  type StoredEvent,
  type TetherEvent,
} from '@tether/contracts';

/** One row of `trace_runs`: a run's view, with the answer and what the projection needs to stay exact. */
export interface RunSummary extends Omit<RunView, 'status' | 'outcome' | 'output'> {
  status: string;
  outcome: string | null;
  output: string | null;
  /** Highest stream sequence applied. */
  lastSeq: number;
  /** Sequence of the event that set `status`: a late, older event never overwrites it. */
  statusSeq: number;
}

export function emptySummary(tenantId: string, runId: string): RunSummary {
  return { ...newRunView(tenantId, runId), output: null, lastSeq: 0, statusSeq: 0 };
}

const TERMINAL_STATUS: Record<string, string> = {
  'run.completed': 'completed',
  'run.failed': 'failed',
  'run.aborted': 'aborted',
  'run.cancelled': 'cancelled',
  'run.rejected': 'rejected',
};

function statusAfter(event: TetherEvent): string | undefined {
  if (isTerminalType(event.type)) return TERMINAL_STATUS[event.type];
  switch (event.type) {
    case 'run.started':
    case 'tool.completed':
    case 'tool.failed':
    case 'tool.denied':
    case 'approval.granted':
    case 'approval.denied':
    case 'approval.expired':
      return 'running';
    case 'tool.requested':
      // Irreversible calls always wait for a human first.
      return event.data.tier === 2 ? 'waiting_for_approval' : 'waiting_for_tool';
    case 'approval.requested':
      return 'waiting_for_approval';
    default:
      return undefined;
  }
}

/**
 * Applies one event (new to the projection) to a run's summary. Counters add up and the status
 * follows the highest-sequence event, so the result does not depend on arrival order: replaying
 * the log in any batching gives the same row.
 */
export function applyToSummary(summary: RunSummary, event: TetherEvent, seq: number): RunSummary {
  const next = { ...summary };
  applyInPlace(next, event, seq);
  return next;
}

/** `applyToSummary` on a summary this module owns: a batch copies nothing per event. */
function applyInPlace(next: RunSummary, event: TetherEvent, seq: number): void {
  next.eventCount += 1;
  next.lastSeq = Math.max(next.lastSeq, seq);
  if (!next.createdAt || Date.parse(next.createdAt) > Date.parse(event.time)) {
    next.createdAt = event.time;
  }
  const status = statusAfter(event);
  const terminalAlready = isTerminalRunStatus(next.status);
  if (status && seq > next.statusSeq && !(terminalAlready && !isTerminalType(event.type))) {
    next.status = status;
    next.statusSeq = seq;
  }
  switch (event.type) {
    case 'run.started':
      next.agent = event.data.agent;
      next.release = event.data.release;
      next.userId = event.data.userId;
      next.mode = event.data.mode;
      next.startedAt = event.time;
      break;
    case 'model.responded':
      next.steps += 1;
      next.inputTokens += event.data.usage.inputTokens;
      next.outputTokens += event.data.usage.outputTokens;
      next.costUsd = Math.round((next.costUsd + event.data.costUsd) * 1e8) / 1e8;
      break;
    case 'tool.requested':
      next.toolCalls += 1;
      break;
    case 'run.rejected':
      next.agent ??= event.data.agent ?? null;
      break;
    default:
      break;
  }
  if (isTerminalType(event.type)) {
    const data = event.data as {
      outcome: string;
      reason: string;
      message: string;
      output?: string;
    };
    next.outcome = data.outcome;
    next.reason = data.reason;
    next.message = data.message;
    next.output = data.output ?? null;
    next.endedAt = event.time;
    next.durationMs = next.startedAt ? Date.parse(event.time) - Date.parse(next.startedAt) : null;
  }
}

/**
 * What a batch of newly projected events says about each run in it: the events of each run
 * applied, in log order, to an empty summary. The stored summary and this partial one combine
 * by rules that do not depend on which came first (see `mergeRunSummaries` in the persistence
 * adapter): counts add up, the first event's time and the highest sequence are kept, the status
 * is that of the highest-sequence event (a run's end outranks anything after it), the outcome
 * is that of its end, and the duration runs from `run.started` to the end, whichever of the two
 * was projected first. Runs come out in key order, the order their rows are locked in.
 */
export function summariesOf(events: readonly StoredEvent[]): RunSummary[] {
  const runs = new Map<string, RunSummary>();
  for (const { seq, event } of [...events].sort((a, b) => a.seq - b.seq)) {
    const key = `${event.tenantId}\u0000${event.runId}`;
    let run = runs.get(key);
    if (!run) runs.set(key, (run = emptySummary(event.tenantId, event.runId)));
    applyInPlace(run, event, seq);
  }
  return [...runs.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
}
