export * from './tether.client';
export * from './sdk.errors';
// Re-exported so callers can type what they receive without a second import.
export type {
  CommandRejected,
  DecideApproval,
  EventType,
  RunMode,
  TetherEvent,
} from '@tether/contracts';
export { NatsUnavailableError } from '@tether/event-store';
