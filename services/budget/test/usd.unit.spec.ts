import { decimalToNanos, nanosToDecimal, nanosToUsd, roundUsd, toNanos } from '../src/domain/usd';

describe('dollar amounts in nano-dollars', () => {
  it('converts without float noise', () => {
    expect(toNanos(0.1) + toNanos(0.2)).toBe(toNanos(0.3));
    expect(nanosToUsd(toNanos(0.1) + toNanos(0.2))).toBe(0.3);
  });

  it('rounds to the nano-dollar', () => {
    expect(roundUsd(0.0000000014)).toBe(0.000000001);
    expect(roundUsd(1.23456789012)).toBe(1.23456789);
  });

  it.each([
    [0n, '0.000000000'],
    [1n, '0.000000001'],
    [1_500_000_000n, '1.500000000'],
    [-250_000_000n, '-0.250000000'],
    [123_456_789_012_345n, '123456.789012345'],
  ])('writes %p nanos as %s for Postgres', (nanos, text) => {
    expect(nanosToDecimal(nanos)).toBe(text);
    expect(decimalToNanos(text)).toBe(nanos);
  });

  it.each([
    ['0', 0n],
    ['0.00000000', 0n],
    ['12', 12_000_000_000n],
    ['0.5', 500_000_000n],
    ['.5', 500_000_000n],
    ['0.1234567891', 123_456_789n],
    ['-1.25', -1_250_000_000n],
  ])('reads numeric %s', (text, nanos) => {
    expect(decimalToNanos(text)).toBe(nanos);
  });

  it('refuses what is not a decimal', () => {
    expect(() => decimalToNanos('1e5')).toThrow(RangeError);
  });
});
