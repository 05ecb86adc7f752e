import { parseRemoteReply } from '../src/sources/nats.source';

const reply = (value: unknown) =>
  new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
const parse = (value: unknown) => () => parseRemoteReply(reply(value), 'crm.lookup');

describe(parseRemoteReply.name, () => {
  it('answers the result, null included', () => {
    expect(parse({ result: { found: true } })()).toEqual({ found: true });
    expect(parse({ result: null })()).toBeNull();
  });

  it('turns a refusal into a ToolRefusal with its reason code, if it gives a valid one', () => {
    expect(parse({ error: 'no such customer', refused: true, reason: 'not_found' })).toThrow(
      expect.objectContaining({
        name: 'ToolRefusal',
        reason: 'not_found',
        message: 'no such customer',
      }),
    );
    expect(parse({ error: 'no', refused: true, reason: 'Not Found!' })).toThrow(
      expect.objectContaining({ name: 'ToolRefusal', reason: 'invalid_arguments' }),
    );
  });

  it('turns an error into a ToolFailure, retryable only when the service says so', () => {
    expect(parse({ error: 'db down', retryable: true })).toThrow(
      expect.objectContaining({ name: 'ToolFailure', retryable: true, message: 'db down' }),
    );
    expect(parse({ error: 'bug' })).toThrow(
      expect.objectContaining({ name: 'ToolFailure', retryable: false }),
    );
  });

  it.each([
    ['not JSON', 'oops'],
    ['not a JSON object', [1, 2]],
    ['neither result nor error', { ok: true }],
    ['error must be a message', { error: { code: 1 } }],
  ])('fails a malformed reply (%s) for good', (why, value) => {
    expect(parse(value)).toThrow(
      expect.objectContaining({
        name: 'ToolFailure',
        retryable: false,
        message: `malformed reply on crm.lookup: ${why}`,
      }),
    );
  });
});
