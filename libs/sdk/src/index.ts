export * from './tether.client';
export * from './sdk.errors';
export * from './tool-switches';
// Re-exported so callers can type what they receive without a second import.
export type {
  CommandRejected,
  SwitchFlipped,
  DecideApproval,
  EventType,
  RunMode,
  TetherEvent,
} from '@tether/contracts';
export { NatsUnavailableError } from '@tether/event-store';
