import type { NatsConnection } from 'nats';
import { requestService } from '@tether/event-store';
import type { GatewayConfig } from '../config';

/** Another Tether service did not answer: not running on this prefix, or too slow. Becomes 503. */
export class ServiceUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServiceUnavailableError';
  }
}

/**
 * A request/reply to `<P>.svc.<service>.<op>`. The service's refusals arrive as `RemoteError`s
 * carrying their code (`forbidden`, `not_found`, …) and are answered as such; no answer at all is
 * a `ServiceUnavailableError`.
 */
export async function callService<T>(
  nc: NatsConnection,
  config: GatewayConfig,
  service: string,
  op: string,
  body: unknown,
): Promise<T> {
  try {
    return await requestService<T>(
      nc,
      config.prefix,
      service,
      op,
      body,
      config.api.serviceTimeoutMs,
    );
  } catch (err) {
    // No responders, a timeout, a closed connection: the service is out of reach, not the request wrong.
    if ((err as Error)?.name === 'NatsError')
      throw new ServiceUnavailableError(
        `the ${service} service is not available; try again later`,
        { cause: err },
      );
    throw err;
  }
}
