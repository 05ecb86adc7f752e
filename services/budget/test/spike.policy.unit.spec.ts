import { spikeOf, type SpikeInput } from '../src/domain/spike.policy';

// A baseline of 1 dollar an hour over 7 days.
const input = (over: Partial<SpikeInput> = {}): SpikeInput => ({
  lastHourUsd: 5,
  trailingUsd: 168,
  trailingHours: 168,
  multiple: 3,
  minUsd: 1,
  ...over,
});

describe('spikeOf', () => {
  it('calls an hour above the multiple of the hourly average a spike', () => {
    expect(spikeOf(input())).toEqual({ baselineHourlyUsd: 1 });
  });

  it('does not call exactly the multiple a spike', () => {
    expect(spikeOf(input({ lastHourUsd: 3 }))).toBeUndefined();
    expect(spikeOf(input({ lastHourUsd: 3.000000001 }))).toEqual({ baselineHourlyUsd: 1 });
  });

  it('needs a baseline: a tenant without history has no spike', () => {
    expect(spikeOf(input({ trailingUsd: 0, lastHourUsd: 1000 }))).toBeUndefined();
  });

  it('ignores an hour below the minimum, however many times the baseline', () => {
    const quiet = { trailingUsd: 0.168, lastHourUsd: 0.5 };
    expect(spikeOf(input(quiet))).toBeUndefined();
    expect(spikeOf(input({ ...quiet, minUsd: 0.5 }))).toEqual({ baselineHourlyUsd: 0.001 });
  });

  it('follows the configured multiple, fractions included', () => {
    expect(spikeOf(input({ lastHourUsd: 1.6, multiple: 1.5 }))).toEqual({ baselineHourlyUsd: 1 });
    expect(spikeOf(input({ lastHourUsd: 1.5, multiple: 1.5 }))).toBeUndefined();
    expect(spikeOf(input({ lastHourUsd: 10, multiple: 10 }))).toBeUndefined();
  });

  it('averages over the hours given', () => {
    expect(spikeOf(input({ trailingUsd: 24, trailingHours: 24, lastHourUsd: 3.5 }))).toEqual({
      baselineHourlyUsd: 1,
    });
  });

  it('rounds the baseline to the nano-dollar', () => {
    expect(spikeOf(input({ trailingUsd: 1, lastHourUsd: 1 }))).toEqual({
      baselineHourlyUsd: 0.005952381,
    });
  });

  it('never divides by no hours', () => {
    expect(spikeOf(input({ trailingHours: 0 }))).toBeUndefined();
  });
});
