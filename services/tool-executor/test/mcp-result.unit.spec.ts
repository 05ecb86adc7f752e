import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { ToolFailure } from '../src/domain/tool-handler';
import { classifyMcpError, toToolResult } from '../src/sources/mcp/mcp-result';

describe(toToolResult.name, () => {
  it('answers the structured content when the server sent one', () => {
    expect(
      toToolResult({
        content: [{ type: 'text', text: 'note 1' }],
        structuredContent: { id: '1' },
      }),
    ).toEqual({ id: '1' });
  });

  it('answers the content blocks otherwise', () => {
    const content = [{ type: 'text', text: 'note 1' }];
    expect(toToolResult({ content })).toEqual({ content });
  });

  it('answers the legacy toolResult of an old server', () => {
    expect(toToolResult({ toolResult: { ok: true } })).toEqual({ ok: true });
  });

  it('throws a non-retryable failure with the text of a result flagged isError', () => {
    const failure = catchError(() =>
      toToolResult({
        isError: true,
        content: [
          { type: 'text', text: 'backend down' },
          { type: 'image', data: '', mimeType: 'image/png' },
          { type: 'text', text: 'try later' },
        ],
      }),
    );
    expect(failure).toMatchObject({
      name: 'ToolFailure',
      message: 'backend down\ntry later',
      retryable: false,
    });
  });

  it('says so when an isError result has no text', () => {
    expect(catchError(() => toToolResult({ isError: true, content: [] }))).toMatchObject({
      message: 'the MCP tool reported an error without a message',
    });
  });
});

describe(classifyMcpError.name, () => {
  it('passes a failure of our own through unchanged', () => {
    const failure = new ToolFailure('secret X is not set', false);
    expect(classifyMcpError(failure, 'notes')).toEqual({ failure, connectionLost: false });
  });

  it('treats a JSON-RPC error of the server as its refusal: not retryable, connection kept', () => {
    const { failure, connectionLost } = classifyMcpError(
      new McpError(ErrorCode.InvalidParams, 'Tool nope not found'),
      'notes',
    );
    expect(failure).toMatchObject({ retryable: false });
    expect(failure.message).toContain('Tool nope not found');
    expect(connectionLost).toBe(false);
  });

  it('treats a request timeout as retryable, connection kept', () => {
    expect(
      classifyMcpError(new McpError(ErrorCode.RequestTimeout, 'Request timed out'), 'notes'),
    ).toMatchObject({ failure: { retryable: true }, connectionLost: false });
  });

  it('treats an abort as retryable, connection kept', () => {
    const abort = new DOMException('This operation was aborted', 'AbortError');
    expect(classifyMcpError(abort, 'notes')).toMatchObject({
      failure: { retryable: true },
      connectionLost: false,
    });
  });

  it('treats a closed connection or a transport error as retryable, and drops the connection', () => {
    for (const err of [
      new McpError(ErrorCode.ConnectionClosed, 'Connection closed'),
      new TypeError('fetch failed'),
    ]) {
      const { failure, connectionLost } = classifyMcpError(err, 'notes');
      expect(failure).toMatchObject({ name: 'ToolFailure', retryable: true });
      expect(failure.message).toMatch(/^MCP server notes is unreachable/);
      expect(connectionLost).toBe(true);
    }
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}
