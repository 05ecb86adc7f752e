import type { NatsConnection } from 'nats';
import { NoticeRouter, projectLog, type RunningConsumer } from '@tether/event-store';

/**
 * Routes the log's notices as the trace-store's projector does, for tests of a service that
 * acts on notices (the budget ledger, the approval queue) without a trace-store running: the
 * same `NoticeRouter` on a durable of its own.
 */
export function routeNotices(nc: NatsConnection, prefix: string): Promise<RunningConsumer> {
  const router = new NoticeRouter(nc, prefix);
  return projectLog(
    nc,
    {
      prefix,
      durable: 'test-notices',
      ackWaitMs: 30_000,
      name: 'the test notice router',
      logger: console,
    },
    async (batch) => {
      await router.forward(batch);
    },
  );
}
