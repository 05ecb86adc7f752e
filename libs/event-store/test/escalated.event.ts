import type { TetherEvent } from '@tether/contracts';
import { newId } from '@tether/event-store';

/** A valid `run.escalated` of one run: the smallest event a test of the log can append. */
export function escalated(runId: string, message: string): TetherEvent {
  return {
    id: newId('evt'),
    type: 'run.escalated',
    schemaVersion: 1,
    runId,
    tenantId: 'acme',
    time: new Date().toISOString(),
    source: 'test@0.0.0',
    data: { reason: 'test_step', message },
  } as TetherEvent;
}
