import type { ModelSpec } from '@tether/contracts';
import {
  modelChain,
  modelForAttempt,
  retryDelayMs,
  totalAttempts,
  type AttemptPolicy,
} from '../src/domain/model-attempt.policy';

const m = (id: string): ModelSpec => ({ provider: 'openai', id }) as ModelSpec;
const policy: AttemptPolicy = { attemptsPerModel: 2, baseDelayMs: 100, maxDelayMs: 1_000 };

describe('model attempt policy', () => {
  const chain = modelChain(m('primary-2025-01-01'), [
    m('fallback-a-2025-01-01'),
    m('fallback-b-2025-01-01'),
  ]);

  it('gives each model of the chain its attempts, in order', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => modelForAttempt(chain, a, policy).id)).toEqual([
      'primary-2025-01-01',
      'primary-2025-01-01',
      'fallback-a-2025-01-01',
      'fallback-a-2025-01-01',
      'fallback-b-2025-01-01',
      'fallback-b-2025-01-01',
    ]);
    expect(totalAttempts(chain, policy)).toBe(6);
  });

  it('keeps the last model past the end of the chain, and the first for nonsense attempts', () => {
    expect(modelForAttempt(chain, 99, policy).id).toBe('fallback-b-2025-01-01');
    expect(modelForAttempt(chain, 0, policy).id).toBe('primary-2025-01-01');
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(retryDelayMs(1, undefined, 0.999, policy)).toBe(99);
    expect(retryDelayMs(1, undefined, 0, policy)).toBe(0);
    const big: AttemptPolicy = { ...policy, attemptsPerModel: 10 };
    expect(retryDelayMs(3, undefined, 0.5, big)).toBe(200);
    expect(retryDelayMs(9, undefined, 0.999, big)).toBe(999);
  });

  it("honours the provider's Retry-After, capped", () => {
    expect(retryDelayMs(1, 700, 0.1, policy)).toBe(700);
    expect(retryDelayMs(1, 60_000, 0.1, policy)).toBe(1_000);
  });

  it('does not wait before moving to the next model', () => {
    expect(retryDelayMs(2, 5_000, 0.9, policy)).toBe(0);
  });
});
