import { requestService } from '@tether/event-store';
import { baseConfig } from '@tether/service-kit';
import { eventually } from '../../../libs/testing/src/infra.helper';
import {
  startIsolatedService,
  type IsolatedService,
} from '../../../libs/testing/src/service.helper';
import { traceStoreService } from '../src/trace-store.module';

/** A trace-store on its own prefix and database. */
export function startTraceStore(label: string): Promise<IsolatedService> {
  return startIsolatedService(label, (env) =>
    traceStoreService(baseConfig(env, 'trace-store', 'test', 0)),
  );
}

export type TraceStoreAsk = <T>(op: string, body: object, timeoutMs?: number) => Promise<T>;

/** Requests to the trace-store's ops (`<P>.svc.trace-store.<op>`), as the gateway makes them. */
export function askTraceStore(ts: IsolatedService): TraceStoreAsk {
  return <T>(op: string, body: object, timeoutMs = 5000) =>
    requestService<T>(ts.sut.nc, ts.prefix, 'trace-store', op, body, timeoutMs);
}

/** Until the projection's checkpoint has reached the end of the log. */
export async function projectedAll(ask: TraceStoreAsk, what: string, timeoutMs?: number) {
  await eventually(
    async () => {
      const s = await ask<{ checkpoint: number; lastSeq: number }>('status', {});
      return s.checkpoint >= s.lastSeq || undefined;
    },
    what,
    timeoutMs,
  );
}
