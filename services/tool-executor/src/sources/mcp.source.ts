import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Logger } from 'pino';
import type { AgentRelease, McpServerSpec, ToolSpec } from '@tether/contracts';
import { InjectLogger } from '@tether/service-kit';
import { SecretStore } from '../adapters/secrets/secret.store';
import type { ToolSource } from '../application/ports';
import { SERVICE, VERSION } from '../config';
import { ToolFailure, type ToolHandler } from '../domain/tool-handler';
import { classifyMcpError, IDEMPOTENCY_META_KEY, toToolResult } from './mcp/mcp-result';

/** How long connecting (spawn or first request, then `initialize`) may take. */
const CONNECT_TIMEOUT_MS = 10_000;
/** The executor's default deadline; its abort signal ends a call at the tool's own deadline. */
const CALL_TIMEOUT_MS = 30_000;

interface Connection {
  client: Client;
  /** Settles once `initialize` is answered; a rejection is never cached. */
  ready: Promise<Client>;
  /** Being closed by us: the transport errors that closing causes are not news. */
  closing?: boolean;
}

/**
 * Tools served by the agent's MCP servers (`mcp: <server>`). One client per release and server,
 * connected on the first call and shared by every run of that release; a connection that closes
 * or breaks is dropped, and the next call connects again.
 */
@Injectable()
export class McpSource implements ToolSource, OnModuleDestroy {
  readonly name = 'mcp';
  private readonly connections = new Map<string, Connection>();
  private closing = false;

  constructor(
    private readonly secrets: SecretStore,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  handlerFor(spec: ToolSpec, release: AgentRelease): ToolHandler | undefined {
    if (!spec.mcp) return undefined;
    const server = release.spec.mcpServers?.find((s) => s.name === spec.mcp);
    if (!server) return undefined;
    const key = `${release.release}/${server.name}`;
    const timeout = spec.timeoutMs ?? CALL_TIMEOUT_MS;
    return async (args, ctx) => {
      let connection: Connection | undefined;
      try {
        connection = this.connection(key, server);
        const client = await connection.ready;
        const result = await client.callTool(
          {
            name: spec.name,
            arguments: args,
            _meta: { [IDEMPOTENCY_META_KEY]: ctx.idempotencyKey },
          },
          undefined,
          { signal: ctx.signal, timeout },
        );
        return toToolResult(result);
      } catch (err) {
        const { failure, connectionLost } = classifyMcpError(err, server.name);
        if (connectionLost && connection) this.drop(key, connection);
        throw failure;
      }
    };
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    const open = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(open.map((c) => this.close(c)));
  }

  private connection(key: string, server: McpServerSpec): Connection {
    if (this.closing) throw new ToolFailure('the tool-executor is shutting down', true);
    const known = this.connections.get(key);
    if (known) return known;
    const client = new Client({ name: SERVICE, version: VERSION });
    const connection: Connection = { client, ready: this.connect(server, client) };
    client.onclose = () => this.forget(key, connection);
    client.onerror = (err) => {
      if (!connection.closing)
        this.logger.warn({ mcpServer: server.name, err: err.message }, 'MCP transport error');
    };
    // A failed connect is not cached: the next call tries again.
    connection.ready.catch(() => this.forget(key, connection));
    this.connections.set(key, connection);
    return connection;
  }

  private async connect(server: McpServerSpec, client: Client): Promise<Client> {
    const transport = await this.transport(server);
    try {
      await client.connect(transport, { timeout: CONNECT_TIMEOUT_MS });
    } catch (err) {
      await client.close().catch(() => undefined);
      throw new ToolFailure(
        `MCP server ${server.name} is unreachable: ${(err as Error)?.message ?? String(err)}`,
        true,
        { cause: err },
      );
    }
    return client;
  }

  /** stdio spawns `command args` with the secrets as environment; HTTP sends them as headers. */
  private async transport(server: McpServerSpec): Promise<Transport> {
    if (server.command) {
      const stdio = new StdioClientTransport({
        command: server.command,
        args: server.args ?? [],
        env: await this.resolve(server.env),
        stderr: 'pipe',
      });
      stdio.stderr?.on('data', (chunk: Buffer) =>
        this.logger.info({ mcpServer: server.name, stderr: chunk.toString().trimEnd() }, 'MCP'),
      );
      return stdio;
    }
    return new StreamableHTTPClientTransport(new URL(server.url!), {
      requestInit: { headers: await this.resolve(server.headers) },
    });
  }

  /** A name → secret-name map, resolved; a missing secret fails the call for good (the store's `ToolFailure`). */
  private async resolve(
    map: Readonly<Record<string, string>> = {},
  ): Promise<Record<string, string>> {
    const resolved: Record<string, string> = {};
    for (const [name, secret] of Object.entries(map))
      resolved[name] = await this.secrets.get(secret);
    return resolved;
  }

  private forget(key: string, connection: Connection): void {
    if (this.connections.get(key) === connection) this.connections.delete(key);
  }

  private drop(key: string, connection: Connection): void {
    this.forget(key, connection);
    void this.close(connection);
  }

  /** Ends the session: an HTTP server is told (DELETE), a stdio child is stopped. */
  private async close(connection: Connection): Promise<void> {
    connection.closing = true;
    await connection.ready.catch(() => undefined);
    const { client } = connection;
    const transport = client.transport;
    if (transport instanceof StreamableHTTPClientTransport) {
      await transport.terminateSession().catch(() => undefined);
    }
    await client
      .close()
      .catch((err: Error) =>
        this.logger.warn({ err: err.message }, 'closing an MCP client failed'),
      );
  }
}
