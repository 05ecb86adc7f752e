export * from './tether.client';
export * from './sdk.errors';
export * from './tool-switches';
export * from './budget';
export * from './runs';
// Re-exported so callers can type what they receive without a second import.
export type {
  BudgetCap,
  BudgetCapChanged,
  CapName,
  CommandRejected,
  SetBudgetCap,
  SpendGroup,
  SpendQuery,
  SpendReport,
  SpendRow,
  SwitchFlipped,
  DecideApproval,
  EventType,
  RunExecution,
  RunMode,
  RunListQuery,
  RunPage,
  RunStatusName,
  RunTimeline,
  RunView,
  StepView,
  ModelCallView,
  ToolCallView,
  ToolCallStatus,
  ApprovalView,
  GuardrailTriggerView,
  TetherEvent,
} from '@tether/contracts';
export { NatsUnavailableError } from '@tether/event-store';
export type { OutcomeOptions, RunEnd } from './run-end';
