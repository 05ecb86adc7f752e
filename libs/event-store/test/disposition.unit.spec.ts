import { RetryLaterError, dispositionFor } from '../src';

const named = (name: string, extra: object = {}) => Object.assign(new Error('x'), { name }, extra);

describe(dispositionFor.name, () => {
  it('terms bad input and broken invariants: retrying cannot help', () => {
    for (const name of ['ValidationError', 'IllegalStateError', 'NotFoundError']) {
      expect(dispositionFor(named(name), 1, 20)).toMatchObject({ action: 'term' });
    }
    expect(dispositionFor(named('ModelError', { retryable: false }), 1, 20)).toMatchObject({
      action: 'term',
    });
  });

  it('retries anything else with exponential backoff, capped', () => {
    expect(dispositionFor(new Error('nats timeout'), 1, 20)).toEqual({
      action: 'nak',
      delayMs: 250,
    });
    expect(dispositionFor(new Error('nats timeout'), 3, 20)).toEqual({
      action: 'nak',
      delayMs: 1000,
    });
    expect(dispositionFor(new Error('nats timeout'), 19, 20)).toEqual({
      action: 'nak',
      delayMs: 30_000,
    });
  });

  it('gives up after the last delivery', () => {
    expect(dispositionFor(new Error('still failing'), 20, 20)).toMatchObject({
      action: 'term',
      reason: expect.stringContaining('gave up after 20'),
    });
  });

  it('never gives up when deliveries are unlimited', () => {
    expect(dispositionFor(new Error('still failing'), 500, -1)).toMatchObject({ action: 'nak' });
  });

  it('holds back a message that is not due, however often it was delivered', () => {
    expect(dispositionFor(new RetryLaterError(1234), 1, 20)).toEqual({
      action: 'nak',
      delayMs: 1234,
    });
    expect(dispositionFor(new RetryLaterError(5), 99, 20)).toEqual({ action: 'nak', delayMs: 5 });
  });
});
