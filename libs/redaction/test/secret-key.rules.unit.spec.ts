import { KeyClass, classifyKey } from '../src';

describe('classifyKey', () => {
  it.each([
    'password',
    'Password',
    'db_password',
    'passwordHash',
    'PASSPHRASE',
    'passwd',
    'pwd',
    'secret',
    'client_secret',
    'clientSecret',
    'webhook-secret',
    'token',
    'access_token',
    'refresh_token',
    'id_token',
    'accessToken',
    'x-api-token',
    'api_key',
    'apikey',
    'apiKey',
    'x-api-key',
    'X-API-KEY',
    'authorization',
    'Proxy-Authorization',
    'auth',
    'oauth',
    'cookie',
    'Set-Cookie',
    'cookies',
    'private_key',
    'privateKey',
    'aws_secret_access_key',
    'session',
    'sessionId',
    'session_id',
    'JSESSIONID',
    'credentials',
    'pin',
    'cvv',
    'cvc',
    'otp',
  ])('%s is a secret name', (name) => {
    expect(classifyKey(name)).not.toBe(KeyClass.none);
  });

  it.each([
    'inputTokens',
    'outputTokens',
    'maxTokens',
    'max_tokens',
    'tokenCount',
    'tokens',
    'totalTokens',
    'tokenType',
    'token_type',
    'nextPageToken',
    'continuation_token',
    'author',
    'authorizationUrl',
    'secretary',
    'secretName',
    'key',
    'keys',
    'sessions',
    'spin',
    'pinned',
    'expires_in',
  ])('%s is not', (name) => {
    expect(classifyKey(name)).toBe(KeyClass.none);
  });

  it('hides numbers only under numeric-code names', () => {
    expect(classifyKey('pin')).toBe(KeyClass.numericSecret);
    expect(classifyKey('cvv2')).toBe(KeyClass.numericSecret);
    expect(classifyKey('password')).toBe(KeyClass.numericSecret);
    expect(classifyKey('token')).toBe(KeyClass.secret);
    expect(classifyKey('auth')).toBe(KeyClass.secret);
  });
});
