import { ToolFailure } from '../../domain/tool-handler';

/** The `_meta` key under which a call's idempotency key reaches the MCP server. */
export const IDEMPOTENCY_META_KEY = 'tether/idempotencyKey';

/** The parts of an MCP `tools/call` result that Tether reads. */
export interface McpCallResult {
  content?: unknown[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
  /** What servers of protocol versions before 2024-11-05 answer instead of `content`. */
  toolResult?: unknown;
}

const MAX_ERROR_CHARS = 2_000;

/**
 * What `tool.completed` records for an MCP result: its structured content when the server sent
 * one (the machine-readable answer), otherwise its content blocks. A result flagged `isError` is
 * the tool's own answer that it failed: trying again would get the same answer.
 */
export function toToolResult(result: McpCallResult): unknown {
  if (result.isError) throw new ToolFailure(errorText(result), false);
  if (result.structuredContent !== undefined) return result.structuredContent;
  if (result.content === undefined && result.toolResult !== undefined) return result.toolResult;
  return { content: result.content ?? [] };
}

function errorText(result: McpCallResult): string {
  const text = (result.content ?? [])
    .map((block) => {
      const b = block as { type?: unknown; text?: unknown };
      return b.type === 'text' && typeof b.text === 'string' ? b.text : '';
    })
    .filter(Boolean)
    .join('\n');
  return (text || 'the MCP tool reported an error without a message').slice(0, MAX_ERROR_CHARS);
}

/** JSON-RPC codes the SDK raises itself (`ErrorCode` of `@modelcontextprotocol/sdk/types`). */
const CONNECTION_CLOSED = -32000;
const REQUEST_TIMEOUT = -32001;

export interface ClassifiedFailure {
  failure: ToolFailure;
  /** The connection is unusable: drop it so the next call connects again. */
  connectionLost: boolean;
}

/**
 * Sorts an error of a call into the server's refusal (a JSON-RPC error: not retryable), a timeout
 * or abort (retryable, the connection stays), and a broken connection (retryable, reconnect).
 */
export function classifyMcpError(err: unknown, server: string): ClassifiedFailure {
  const e = (err ?? {}) as { name?: unknown; code?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (e.name === 'ToolFailure' || e.name === 'ToolRefusal') {
    return { failure: err as ToolFailure, connectionLost: false };
  }
  if (e.name === 'McpError' && e.code === REQUEST_TIMEOUT) {
    return {
      failure: new ToolFailure(`MCP server ${server} did not answer in time`, true, { cause: err }),
      connectionLost: false,
    };
  }
  if (e.name === 'McpError' && e.code !== CONNECTION_CLOSED) {
    return {
      failure: new ToolFailure(`MCP server ${server} refused the call: ${message}`, false, {
        cause: err,
      }),
      connectionLost: false,
    };
  }
  if (e.name === 'AbortError') {
    return {
      failure: new ToolFailure(`MCP call to ${server} was aborted`, true, { cause: err }),
      connectionLost: false,
    };
  }
  return {
    failure: new ToolFailure(`MCP server ${server} is unreachable: ${message}`, true, {
      cause: err,
    }),
    connectionLost: true,
  };
}
