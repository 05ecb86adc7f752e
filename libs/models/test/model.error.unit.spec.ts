import { ModelError, isRetryableStatus, modelErrorFrom, parseRetryAfter } from '../src';

describe(ModelError.name, () => {
  describe('parseRetryAfter', () => {
    const now = Date.parse('2026-11-01T12:00:00Z');
    const headers = (h: Record<string, string>) => new Headers(h);

    it('reads retry-after-ms first', () => {
      expect(parseRetryAfter(headers({ 'retry-after-ms': '250', 'retry-after': '9' }), now)).toBe(
        250,
      );
    });
    it('reads Retry-After in seconds, fractions included', () => {
      expect(parseRetryAfter(headers({ 'retry-after': '2' }), now)).toBe(2000);
      expect(parseRetryAfter(headers({ 'retry-after': '0.5' }), now)).toBe(500);
    });
    it('reads Retry-After as an HTTP date, never negative', () => {
      expect(
        parseRetryAfter(headers({ 'retry-after': 'Sun, 01 Nov 2026 12:00:30 GMT' }), now),
      ).toBe(30_000);
      expect(
        parseRetryAfter(headers({ 'retry-after': 'Sun, 01 Nov 2026 11:00:00 GMT' }), now),
      ).toBe(0);
    });
    it('reads a plain header record too', () => {
      expect(parseRetryAfter({ 'Retry-After': '3' }, now)).toBe(3000);
    });
    it('is undefined when absent or unparsable', () => {
      expect(parseRetryAfter(headers({}), now)).toBeUndefined();
      expect(parseRetryAfter(headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
      expect(parseRetryAfter(undefined, now)).toBeUndefined();
    });
  });

  describe('classification', () => {
    it.each([408, 409, 429, 500, 502, 503, 529])('retries HTTP %i', (status) => {
      expect(isRetryableStatus(status)).toBe(true);
    });
    it.each([400, 401, 403, 404, 413, 422])('does not retry HTTP %i', (status) => {
      expect(isRetryableStatus(status)).toBe(false);
    });
    it('treats a failure without an answer as a retryable network error', () => {
      const sut = modelErrorFrom({ provider: 'openai', message: 'ECONNRESET', cause: null });
      expect(sut).toMatchObject({ retryable: true, name: 'ModelError' });
      expect(sut.status).toBeUndefined();
    });
    it("marks the caller's abort", () => {
      const sut = modelErrorFrom({ provider: 'openai', aborted: true, message: '', cause: null });
      expect(sut).toMatchObject({ message: 'aborted', retryable: true, aborted: true });
    });
  });
});
