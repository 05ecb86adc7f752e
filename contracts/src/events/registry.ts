import {
  ApprovalDenied,
  ApprovalExpired,
  ApprovalGranted,
  ApprovalRequested,
  ReviewRequested,
} from './approval.events';
import { BudgetExceeded, BudgetReserved, BudgetWarning } from './budget.events';
import { ModelFailed, ModelRequested, ModelResponded } from './model.events';
import {
  RunAborted,
  RunCancelled,
  RunCompleted,
  RunEscalated,
  RunFailed,
  RunRejected,
  RunStarted,
} from './run.events';
import {
  GuardrailTriggered,
  ToolCompleted,
  ToolDenied,
  ToolDrafted,
  ToolFailed,
  ToolRequested,
  ToolStarted,
} from './tool.events';

/** Wire name of every event type → the class that is both its TS type and its validator. */
export const EVENT_DATA = {
  'run.started': RunStarted,
  'run.rejected': RunRejected,
  'model.requested': ModelRequested,
  'model.responded': ModelResponded,
  'model.failed': ModelFailed,
  'guardrail.triggered': GuardrailTriggered,
  'tool.requested': ToolRequested,
  'tool.denied': ToolDenied,
  'tool.drafted': ToolDrafted,
  'tool.started': ToolStarted,
  'tool.completed': ToolCompleted,
  'tool.failed': ToolFailed,
  'approval.requested': ApprovalRequested,
  'approval.granted': ApprovalGranted,
  'approval.denied': ApprovalDenied,
  'approval.expired': ApprovalExpired,
  'review.requested': ReviewRequested,
  'budget.reserved': BudgetReserved,
  'budget.warning': BudgetWarning,
  'budget.exceeded': BudgetExceeded,
  'run.escalated': RunEscalated,
  'run.completed': RunCompleted,
  'run.failed': RunFailed,
  'run.aborted': RunAborted,
  'run.cancelled': RunCancelled,
} as const;

export type EventType = keyof typeof EVENT_DATA;
export type EventData<T extends EventType> = InstanceType<(typeof EVENT_DATA)[T]>;

export const EVENT_TYPES = Object.keys(EVENT_DATA) as EventType[];

/** Current schema version of each event type; bump it together with an upcaster. */
export const SCHEMA_VERSION: Record<EventType, number> = Object.fromEntries(
  EVENT_TYPES.map((t) => [t, 1]),
) as Record<EventType, number>;

export const TERMINAL_EVENT_TYPES = [
  'run.completed',
  'run.failed',
  'run.aborted',
  'run.cancelled',
  'run.rejected',
] as const satisfies readonly EventType[];
export type TerminalEventType = (typeof TERMINAL_EVENT_TYPES)[number];

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(EVENT_DATA, value);
}

export function isTerminalType(type: string): type is TerminalEventType {
  return (TERMINAL_EVENT_TYPES as readonly string[]).includes(type);
}
