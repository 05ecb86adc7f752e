import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelSpec } from '@tether/contracts';
import {
  BUILT_IN_PRICES,
  DEFAULT_WORST_CASE_OUTPUT_TOKENS,
  PriceTableError,
  loadPriceTable,
  mergePriceTable,
  priceOf,
  toolPrice,
  worstCaseCost,
} from '../src';

const model = (m: Partial<ModelSpec>): ModelSpec =>
  ({ provider: 'openai', id: 'x', ...m }) as ModelSpec;

describe(loadPriceTable.name, () => {
  it('is the built-in table without a file', () => {
    expect(loadPriceTable(undefined)).toBe(BUILT_IN_PRICES);
  });

  it('extends the built-in table with a YAML file whose entries win', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prices-'));
    const file = join(dir, 'prices.yaml');
    writeFileSync(
      file,
      [
        'version: acme-2026-11-20',
        'models:',
        '  "openai:gpt-5-2025-08-07": { inputPerMTok: 1, outputPerMTok: 2 }',
        '  "local:llama-3.1-8b": { inputPerMTok: 0.1, outputPerMTok: 0.1 }',
        'tools:',
        '  charge_card: 0.03',
      ].join('\n'),
    );
    const table = loadPriceTable(file);
    expect(table.version).toBe('acme-2026-11-20');
    expect(table.models['openai:gpt-5-2025-08-07']).toEqual({ inputPerMTok: 1, outputPerMTok: 2 });
    expect(table.models['openai:gpt-4.1-2025-04-14']).toEqual(
      BUILT_IN_PRICES.models['openai:gpt-4.1-2025-04-14'],
    );
    expect(toolPrice('charge_card', table)).toBe(0.03);
    expect(
      priceOf(
        model({ id: 'gpt-5-2025-08-07' }),
        { inputTokens: 1e6, outputTokens: 1e6, cachedInputTokens: 0, reasoningTokens: 0 },
        table,
      ),
    ).toBe(3);
  });

  it('names every problem of a bad file, and an unreadable one', () => {
    const bad = () =>
      mergePriceTable({
        version: 'has space',
        models: { nocolon: { inputPerMTok: -1, outputPerMTok: 'x', extra: 1 } },
        tools: { t: -3 },
        surprise: true,
      });
    expect(bad).toThrow(PriceTableError);
    expect(bad).toThrow(
      /version: .*nocolon: key must be .*inputPerMTok: .*outputPerMTok: .*extra: unknown field.*tools\.t: .*surprise: unknown field/,
    );
    expect(() => mergePriceTable(['a'])).toThrow(/must be a mapping/);
    expect(() => loadPriceTable('/nonexistent/prices.yaml')).toThrow(/cannot read the price table/);
  });
});

describe(worstCaseCost.name, () => {
  const priced = model({ price: { inputPerMTok: 2, outputPerMTok: 10 }, maxOutputTokens: 500 });

  it('counts every prompt byte as a token plus overheads, and all output at the output rate', () => {
    const cost = worstCaseCost(priced, { bytes: 10_000, messages: 3 })!;
    // (10,000 + 3×8 + 64) input tokens at $2/M + 500 output at $10/M.
    expect(cost).toBeCloseTo((10_088 * 2 + 500 * 10) / 1e6, 9);
  });

  it('bounds any real usage of that prompt from above', () => {
    const cost = worstCaseCost(priced, { bytes: 10_000, messages: 3 })!;
    const real = priceOf(priced, {
      inputTokens: 10_000,
      outputTokens: 500,
      cachedInputTokens: 0,
      reasoningTokens: 500,
    })!;
    expect(cost).toBeGreaterThanOrEqual(real);
  });

  it('takes the dearer of output and reasoning, and a default output allowance', () => {
    const reasoning = model({ price: { inputPerMTok: 0, outputPerMTok: 1, reasoningPerMTok: 3 } });
    expect(worstCaseCost(reasoning, { bytes: 0, messages: 0 })).toBeCloseTo(
      (DEFAULT_WORST_CASE_OUTPUT_TOKENS * 3) / 1e6,
      9,
    );
  });

  it('is undefined for a model without a price, 0 for scripted', () => {
    expect(worstCaseCost(model({ id: 'unknown' }), { bytes: 1, messages: 1 })).toBeUndefined();
    expect(worstCaseCost(model({ provider: 'scripted' }), { bytes: 1, messages: 1 })).toBe(0);
  });
});

describe(toolPrice.name, () => {
  it('is undefined for a tool without a price or priced at 0', () => {
    const table = mergePriceTable({ version: 'v', tools: { free: 0, paid: 0.5 } });
    expect(toolPrice('free', table)).toBeUndefined();
    expect(toolPrice('other', table)).toBeUndefined();
    expect(toolPrice('paid', table)).toBe(0.5);
    expect(toolPrice('constructor', table)).toBeUndefined();
  });
});
