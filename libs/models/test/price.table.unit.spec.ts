import type { ModelSpec } from '@tether/contracts';
import {
  PRICE_TABLE,
  PRICE_TABLE_VERSION,
  priceOf,
  priceOfReply,
  resolvePrice,
  type ModelUsage,
} from '../src';

const usage = (u: Partial<ModelUsage>): ModelUsage => ({
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  reasoningTokens: 0,
  ...u,
});
const model = (m: Partial<ModelSpec>): ModelSpec =>
  ({ provider: 'openai', id: 'x', ...m }) as ModelSpec;

describe(priceOf.name, () => {
  describe('with the agent’s own price', () => {
    const priced = model({
      provider: 'openai-compatible',
      id: 'llama3.1',
      price: { inputPerMTok: 2.5, outputPerMTok: 10 },
    });

    it('bills input and output per million tokens', () => {
      expect(priceOf(priced, usage({ inputTokens: 1_000_000, outputTokens: 500_000 }))).toBe(7.5);
    });

    it('bills cached input at the input rate and reasoning at the output rate by default', () => {
      const plain = priceOf(priced, usage({ inputTokens: 1000, outputTokens: 1000 }));
      const withParts = priceOf(
        priced,
        usage({
          inputTokens: 1000,
          outputTokens: 1000,
          cachedInputTokens: 600,
          reasoningTokens: 300,
        }),
      );
      expect(withParts).toBe(plain);
    });

    it('bills cached input and reasoning at their own rates when given', () => {
      const sut = model({
        price: { inputPerMTok: 2, outputPerMTok: 8, cachedInputPerMTok: 0.5, reasoningPerMTok: 4 },
      });
      // (1000-600)*2 + 600*0.5 + (1000-300)*8 + 300*4 = 800 + 300 + 5600 + 1200 = 7900 µ$
      expect(
        priceOf(
          sut,
          usage({
            inputTokens: 1000,
            outputTokens: 1000,
            cachedInputTokens: 600,
            reasoningTokens: 300,
          }),
        ),
      ).toBe(0.0079);
    });

    it('never bills more cached or reasoning tokens than the totals', () => {
      const sut = model({
        price: { inputPerMTok: 1, outputPerMTok: 1, cachedInputPerMTok: 0, reasoningPerMTok: 0 },
      });
      expect(
        priceOf(
          sut,
          usage({ inputTokens: 10, outputTokens: 10, cachedInputTokens: 50, reasoningTokens: 50 }),
        ),
      ).toBe(0);
    });

    it('takes precedence over the built-in table', () => {
      const sut = model({ id: 'gpt-4o-2024-08-06', price: { inputPerMTok: 1, outputPerMTok: 1 } });
      expect(priceOf(sut, usage({ inputTokens: 1_000_000 }))).toBe(1);
    });
  });

  it('charges nothing for a scripted model', () => {
    expect(
      priceOf(
        model({ provider: 'scripted', id: 'scripted-v1' }),
        usage({ inputTokens: 9e6, outputTokens: 9e6 }),
      ),
    ).toBe(0);
  });

  it('charges a scripted model its own price when it declares one (budget demos)', () => {
    const sut = model({
      provider: 'scripted',
      id: 'scripted-v1',
      price: { inputPerMTok: 1, outputPerMTok: 2 },
    });
    expect(priceOf(sut, usage({ inputTokens: 1_000_000, outputTokens: 1_000_000 }))).toBe(3);
  });

  it('prices a pinned id from the built-in table', () => {
    const sut = model({ provider: 'openai', id: 'gpt-4o-2024-08-06' });
    // 1M input of which 200k cached: 0.8*2.5 + 0.2*1.25 = 2.25; 100k output: 1.0
    expect(
      priceOf(
        sut,
        usage({ inputTokens: 1_000_000, cachedInputTokens: 200_000, outputTokens: 100_000 }),
      ),
    ).toBe(3.25);
    expect(
      priceOf(
        model({ provider: 'anthropic', id: 'claude-sonnet-4-20250514' }),
        usage({ outputTokens: 1_000_000 }),
      ),
    ).toBe(15);
  });

  it.each([
    ['an unlisted id', model({ provider: 'openai', id: 'gpt-4o' })],
    [
      'a listed id under another provider',
      model({ provider: 'openai-compatible', id: 'gpt-4o-2024-08-06' }),
    ],
    ['an inherited object key', model({ provider: 'openai', id: 'constructor' })],
  ])('is undefined for %s', (_what, sut) => {
    expect(priceOf(sut, usage({ inputTokens: 1 }))).toBeUndefined();
    expect(resolvePrice(sut)).toBeUndefined();
  });

  it('rounds to a billionth of a dollar', () => {
    const sut = model({ price: { inputPerMTok: 0.1, outputPerMTok: 0.2 } });
    expect(priceOf(sut, usage({ inputTokens: 1, outputTokens: 2 }))).toBe(0.0000005);
  });
});

describe('PRICE_TABLE', () => {
  it('is versioned', () => {
    expect(PRICE_TABLE_VERSION).toBe('2026-11-01');
  });

  it('lists only pinned ids of providers with floating aliases', () => {
    for (const key of Object.keys(PRICE_TABLE)) {
      expect(key).toMatch(/^(openai|anthropic):.+-(20\d\d-\d\d-\d\d|20\d{6})$/);
    }
  });

  it('has an output rate at least the input rate and a cached rate at most the input rate', () => {
    for (const price of Object.values(PRICE_TABLE)) {
      expect(price.outputPerMTok).toBeGreaterThanOrEqual(price.inputPerMTok);
      expect(price.cachedInputPerMTok ?? price.inputPerMTok).toBeLessThanOrEqual(
        price.inputPerMTok,
      );
    }
  });
});

describe(priceOfReply.name, () => {
  const million = usage({ inputTokens: 1_000_000, outputTokens: 1_000_000 });
  const dated = PRICE_TABLE['anthropic:claude-sonnet-4-20250514']!;
  const datedCost = dated.inputPerMTok + dated.outputPerMTok;

  it('prices an unpriced alias at the dated model that answered it', () => {
    const alias = model({ provider: 'anthropic', id: 'claude-sonnet-4-0' });
    expect(priceOf(alias, million)).toBeUndefined();
    expect(priceOfReply(alias, { model: 'claude-sonnet-4-20250514', usage: million })).toBe(
      datedCost,
    );
  });

  it('keeps the price of the model asked for when it has one', () => {
    const own = model({
      provider: 'anthropic',
      id: 'claude-sonnet-4-20250514',
      price: { inputPerMTok: 1, outputPerMTok: 1 },
    });
    expect(priceOfReply(own, { model: 'claude-sonnet-4-20250514', usage: million })).toBe(2);
  });

  it('looks the answering model up under the provider asked, not another one', () => {
    const alias = model({ provider: 'openai', id: 'some-alias' });
    expect(
      priceOfReply(alias, { model: 'claude-sonnet-4-20250514', usage: million }),
    ).toBeUndefined();
  });
});
