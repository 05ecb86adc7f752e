import { isTerminalType, type SpendKind, type TetherEvent } from '@tether/contracts';

/** A paid call as its event tells it. */
export interface Charge {
  tenantId: string;
  runId: string;
  kind: SpendKind;
  /** The tool's name, or the model id as the event names it (see `modelItem`). */
  item: string;
  /** Dollars; undefined for a tool without a price of its own (the held amount is paid). */
  costUsd?: number;
  /** When it was paid: the event's time. */
  at: string;
}

export type LedgerOp =
  | { op: 'settle'; reservationId: string; charge: Charge }
  | { op: 'release'; reservationId: string }
  | { op: 'releaseRun'; tenantId: string; runId: string }
  /** A paid call nobody reserved for: it is still spend. */
  | { op: 'record'; id: string; charge: Charge };

/** Who a run acts for, from `run.started`: unreserved spend is booked to them. */
export interface RunOwner {
  tenantId: string;
  runId: string;
  userId: string;
  agent: string;
  /** `<provider>:<model id>` the run started with. */
  model: string;
  startedAt: string;
}

/** The event types the ledger is kept from; every other event is skipped unread. */
export const LEDGER_EVENT_TYPES = new Set<string>([
  'run.started',
  'model.responded',
  'model.failed',
  'tool.completed',
  'tool.failed',
  'tool.denied',
  'run.completed',
  'run.failed',
  'run.aborted',
  'run.cancelled',
  'run.rejected',
]);

/** The reservation id of a tool call, as the orchestrator makes it. */
export function toolReservationId(runId: string, callId: string): string {
  return `res_${runId}_${callId}`;
}

/**
 * `model.responded` names the model without its provider; reservations name both. The run's own
 * model gives the provider; a fallback of another provider is booked under its bare id.
 */
export function modelItem(runModel: string | undefined, model: string): string {
  return runModel !== undefined && runModel.endsWith(`:${model}`) ? runModel : model;
}

function paid(e: TetherEvent, kind: 'model' | 'tool', item: string, costUsd?: number): Charge {
  return { tenantId: e.tenantId, runId: e.runId, kind, item, costUsd, at: e.time };
}

/** What the ledger does with a batch of the log, in order. */
export function ledgerOpsOf(events: readonly TetherEvent[]): { runs: RunOwner[]; ops: LedgerOp[] } {
  const runs: RunOwner[] = [];
  const ops: LedgerOp[] = [];
  for (const e of events) {
    switch (e.type) {
      case 'run.started':
        runs.push({
          tenantId: e.tenantId,
          runId: e.runId,
          userId: e.data.userId,
          agent: e.data.agent,
          model: `${e.data.model.provider}:${e.data.model.id}`,
          startedAt: e.time,
        });
        // The input classifier's call, made before the run started.
        if (e.data.classifier) {
          const { model, costUsd, reservationId } = e.data.classifier;
          const charge = paid(e, 'model', model, costUsd);
          if (reservationId) ops.push({ op: 'settle', reservationId, charge });
          else if (costUsd > 0) ops.push({ op: 'record', id: e.id, charge });
        }
        break;
      case 'model.responded': {
        const charge = paid(e, 'model', e.data.model, e.data.costUsd);
        if (e.data.reservationId)
          ops.push({ op: 'settle', reservationId: e.data.reservationId, charge });
        else if (e.data.costUsd > 0) ops.push({ op: 'record', id: e.id, charge });
        break;
      }
      case 'model.failed':
        if (e.data.reservationId) ops.push({ op: 'release', reservationId: e.data.reservationId });
        break;
      case 'tool.completed': {
        const charge = paid(e, 'tool', e.data.tool, e.data.costUsd);
        if (e.data.reservationId)
          ops.push({ op: 'settle', reservationId: e.data.reservationId, charge });
        else if ((e.data.costUsd ?? 0) > 0) ops.push({ op: 'record', id: e.id, charge });
        break;
      }
      case 'tool.failed':
      case 'tool.denied':
        ops.push({ op: 'release', reservationId: toolReservationId(e.runId, e.data.callId) });
        break;
      default:
        if (isTerminalType(e.type))
          ops.push({ op: 'releaseRun', tenantId: e.tenantId, runId: e.runId });
    }
  }
  return { runs, ops };
}
