import { benchRun, measureFold } from '../src/fold.bench';
import { fold } from '../src';

describe('measureFold', () => {
  it('folds a realistic 24-event run to a completed state', () => {
    const events = benchRun();
    expect(events).toHaveLength(24);
    expect(fold(events)).toMatchObject({
      status: 'completed',
      step: 5,
      toolCalls: 4,
      version: 24,
      pendingCalls: [],
    });
  });

  it('folds well over 200k events per second', () => {
    // A short run: enough to catch an accidental O(n²) or per-event deep copy, not a benchmark.
    const { eventsPerSecond } = measureFold(200);
    expect(eventsPerSecond).toBeGreaterThan(200_000);
  });
});
