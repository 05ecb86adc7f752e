import { connect, type NatsConnection } from 'nats';

export interface NatsConnectOptions {
  /**
   * One server or several, comma-separated. `nats://user:password@host:4222` (URL-encoded) or
   * `nats://token@host:4222` authenticates; see `natsServerOptions`.
   */
  url: string;
  /** Shown in the server's connection list: `<service>@<version>#<pid>`. */
  name: string;
}

/** Connects with endless reconnects: a service rides out a NATS restart instead of crashing. */
export async function connectNats(options: NatsConnectOptions): Promise<NatsConnection> {
  try {
    return await connect({
      ...natsServerOptions(options.url),
      name: options.name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      pingInterval: 10_000,
      // A stack captured per request costs more than the request itself on the hot path.
      noAsyncTraces: true,
    });
  } catch (err) {
    throw new NatsUnavailableError(
      `cannot reach NATS at ${redactNatsUrl(options.url)}: ${(err as Error).message}`,
      err,
    );
  }
}

export interface NatsServerOptions {
  servers: string[];
  user?: string;
  pass?: string;
  token?: string;
}

/**
 * nats.js ignores credentials written in a server URL (it sends none, and a server with
 * authorization refuses the connection), so they are taken out of the URLs here and passed as
 * options: `user:password@` → user and pass, a lone `token@` → token. One connection has one
 * identity: the first server that names credentials gives them.
 */
export function natsServerOptions(url: string): NatsServerOptions {
  const options: NatsServerOptions = { servers: [] };
  let found = false;
  for (const server of url
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const parsed = parseServer(server);
    if (!parsed || (!parsed.username && !parsed.password)) {
      options.servers.push(server);
      continue;
    }
    if (!found) {
      found = true;
      const user = decodeURIComponent(parsed.username);
      const pass = decodeURIComponent(parsed.password);
      if (pass) Object.assign(options, { user, pass });
      else options.token = user;
    }
    options.servers.push(`${parsed.protocol}//${parsed.host}`);
  }
  return options;
}

/** The URL(s) with any password (or token) replaced by `***`, fit for logs and errors. */
export function redactNatsUrl(url: string): string {
  return url
    .split(',')
    .map((server) => {
      const parsed = parseServer(server.trim());
      if (!parsed || (!parsed.username && !parsed.password)) return server;
      const who = parsed.password ? `${parsed.username}:***` : '***';
      return `${parsed.protocol}//${who}@${parsed.host}`;
    })
    .join(',');
}

function parseServer(server: string): URL | undefined {
  if (!server.includes('@')) return undefined;
  try {
    return new URL(/^[a-z]+:\/\//i.test(server) ? server : `nats://${server}`);
  } catch {
    return undefined;
  }
}

export class NatsUnavailableError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'NatsUnavailableError';
  }
}
