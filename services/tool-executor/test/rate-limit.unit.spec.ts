import { parseRateLimit, windowOf } from '../src/domain/rate-limit';

describe(parseRateLimit.name, () => {
  it.each([
    ['10/sec', { limit: 10, windowMs: 1_000 }],
    ['10/min', { limit: 10, windowMs: 60_000 }],
    ['3/hour', { limit: 3, windowMs: 3_600_000 }],
  ])('%s → %j', (text, expected) => {
    expect(parseRateLimit(text)).toEqual(expected);
  });

  it('is undefined without a limit and refuses a malformed one', () => {
    expect(parseRateLimit(undefined)).toBeUndefined();
    expect(() => parseRateLimit('10/day')).toThrow('not N/sec, N/min or N/hour');
  });
});

describe(windowOf.name, () => {
  it('aligns windows and says what is left', () => {
    expect(windowOf(125_000, 60_000)).toEqual({ startMs: 120_000, leftMs: 55_000 });
    expect(windowOf(120_000, 60_000)).toEqual({ startMs: 120_000, leftMs: 60_000 });
  });
});
