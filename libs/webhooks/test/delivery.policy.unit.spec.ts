import { isRetryableStatus, retryAfterMs } from '../src/delivery.policy';

describe('isRetryableStatus', () => {
  it('retries 429 and 5xx, nothing else', () => {
    expect([429, 500, 502, 503, 504, 599].every(isRetryableStatus)).toBe(true);
    expect([200, 204, 301, 302, 400, 401, 403, 404, 408, 410, 422].some(isRetryableStatus)).toBe(
      false,
    );
  });
});

describe('retryAfterMs', () => {
  it('reads delta-seconds, capped', () => {
    expect(retryAfterMs('2', 30_000)).toBe(2_000);
    expect(retryAfterMs(' 0 ', 30_000)).toBe(0);
    expect(retryAfterMs('3600', 30_000)).toBe(30_000);
  });

  it('ignores an absent, negative, fractional or date value', () => {
    for (const value of [null, '', '-1', '1.5', 'soon', 'Wed, 21 Oct 2015 07:28:00 GMT']) {
      expect(retryAfterMs(value, 30_000)).toBeUndefined();
    }
  });
});
