import { connect, type NatsConnection } from 'nats';

export interface NatsConnectOptions {
  url: string;
  /** Shown in the server's connection list: `<service>@<version>#<pid>`. */
  name: string;
}

/** Connects with endless reconnects: a service rides out a NATS restart instead of crashing. */
export async function connectNats(options: NatsConnectOptions): Promise<NatsConnection> {
  try {
    return await connect({
      servers: options.url,
      name: options.name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      pingInterval: 10_000,
      // A stack captured per request costs more than the request itself on the hot path.
      noAsyncTraces: true,
    });
  } catch (err) {
    throw new NatsUnavailableError(
      `cannot reach NATS at ${options.url}: ${(err as Error).message}`,
      err,
    );
  }
}

export class NatsUnavailableError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'NatsUnavailableError';
  }
}
