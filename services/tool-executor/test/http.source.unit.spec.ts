import { errorDetail, httpStatusError, planHttpRequest } from '../src/sources/http.source';

describe(planHttpRequest.name, () => {
  describe('when the URL holds placeholders', () => {
    it('fills them URL-encoded and does not send those arguments again', () => {
      expect(
        planHttpRequest(
          { url: 'https://api.example.com/orders/{orderId}/notes', method: 'POST' },
          { orderId: 'A 1/2?#', note: 'late' },
        ),
      ).toEqual({
        method: 'POST',
        url: 'https://api.example.com/orders/A%201%2F2%3F%23/notes',
        body: '{"note":"late"}',
      });
    });

    it('fills placeholders in the query too', () => {
      expect(
        planHttpRequest(
          { url: 'http://127.0.0.1:8080/search?q={query}', method: 'GET' },
          { query: 'a&b=c', limit: 3 },
        ).url,
      ).toBe('http://127.0.0.1:8080/search?q=a%26b%3Dc&limit=3');
    });

    it('refuses a call without the argument a placeholder needs', () => {
      const fill = () => planHttpRequest({ url: 'https://x.example/orders/{orderId}' }, {});
      expect(fill).toThrow(expect.objectContaining({ name: 'ToolRefusal' }));
      expect(fill).toThrow('orderId is required');
    });

    it('refuses an object where the URL needs a single value', () => {
      expect(() =>
        planHttpRequest({ url: 'https://x.example/orders/{orderId}' }, { orderId: { a: 1 } }),
      ).toThrow(expect.objectContaining({ name: 'ToolRefusal' }));
    });

    it('never lets a placeholder choose the host', () => {
      expect(() =>
        planHttpRequest({ url: 'https://user:{pw}@x.example/a' }, { pw: 'evil.example' }),
      ).toThrow(expect.objectContaining({ name: 'ToolFailure', retryable: false }));
    });
  });

  describe('when the method is GET or DELETE', () => {
    it('sends the arguments as the query string, with no body', () => {
      for (const method of ['GET', 'DELETE']) {
        expect(
          planHttpRequest(
            { url: 'https://x.example/items?fixed=1', method },
            { tag: ['a', 'b'], filter: { open: true }, skip: null, n: 2 },
          ),
        ).toEqual({
          method,
          url: 'https://x.example/items?fixed=1&tag=a&tag=b&filter=%7B%22open%22%3Atrue%7D&n=2',
        });
      }
    });
  });

  describe('when the method is POST, PUT or PATCH', () => {
    it('sends the arguments as a JSON body, POST when no method is declared', () => {
      expect(planHttpRequest({ url: 'https://x.example/a' }, { n: 1, tags: ['x'] })).toEqual({
        method: 'POST',
        url: 'https://x.example/a',
        body: '{"n":1,"tags":["x"]}',
      });
      expect(planHttpRequest({ url: 'https://x.example/a', method: 'PATCH' }, {}).body).toBe('{}');
    });
  });
});

describe(httpStatusError.name, () => {
  it.each([
    [400, 'invalid_arguments'],
    [422, 'invalid_arguments'],
    [404, 'not_found'],
    [409, 'conflict'],
  ])('treats %i as the service refusing (%s), never retried', (status, reason) => {
    expect(httpStatusError(status, 'no such order')).toMatchObject({
      name: 'ToolRefusal',
      reason,
      message: `answered ${status}: no such order`,
    });
  });

  it.each([401, 403])('treats %i as refused credentials, not retryable', (status) => {
    const err = httpStatusError(status, '', { host: 'api.example.com' });
    expect(err).toMatchObject({ name: 'ToolFailure', retryable: false });
    expect(err.message).toBe(`api.example.com answered ${status} (the credentials were refused)`);
  });

  it.each([408, 425, 429, 500, 502, 503, 504])('treats %i as retryable', (status) => {
    expect(httpStatusError(status, 'busy')).toMatchObject({
      name: 'ToolFailure',
      retryable: true,
    });
  });

  it('names Retry-After of a 429', () => {
    expect(httpStatusError(429, 'slow down', { retryAfter: '30' }).message).toBe(
      'answered 429: slow down (Retry-After: 30)',
    );
  });

  it.each([302, 405, 410, 418])('treats %i as a failure no retry fixes', (status) => {
    expect(httpStatusError(status, '')).toMatchObject({ name: 'ToolFailure', retryable: false });
  });
});

describe(errorDetail.name, () => {
  it('takes the message of a JSON error body', () => {
    expect(errorDetail('{"type":"about:blank","title":"Bad","detail":"amount too high"}')).toBe(
      'amount too high',
    );
    expect(errorDetail('{"error":{"message":"order is closed"}}')).toBe('order is closed');
    expect(errorDetail('{"error":"nope"}')).toBe('nope');
  });

  it('keeps the first 500 characters of a text body, on one line', () => {
    expect(errorDetail(`line one\n  line two ${'x'.repeat(600)}`)).toHaveLength(500);
    expect(errorDetail('line one\n  line two')).toBe('line one line two');
  });
});
