import { isPinnedModelId, modelPinProblem } from '../src';

describe(isPinnedModelId.name, () => {
  describe('when the id carries a date or version pin', () => {
    it.each([
      'gpt-5-2025-08-07',
      'gpt-5-mini-2025-08-07',
      'gpt-4o-2024-08-06',
      'gpt-4o-mini-2024-07-18',
      'gpt-4.1-2025-04-14',
      'o1-2024-12-17',
      'o3-2025-04-16',
      'gpt-4-0613',
      'gpt-4-32k-0314',
      'gpt-3.5-turbo-0125',
      'gpt-4-1106-preview',
      'gpt-4o-realtime-preview-2024-10-01',
      'claude-sonnet-4-20250514',
      'claude-opus-4-1-20250805',
      'claude-3-5-sonnet-20241022',
      'claude-3-5-haiku-20241022',
      'claude-3-5-sonnet-v2@20241022',
      'anthropic.claude-3-5-sonnet-20241022-v2:0',
      'my-model-v2',
      'ft:gpt-4o-mini-2024-07-18:acme::9xYz',
      'ft:gpt-3.5-turbo:acme::abc123',
      'GPT-4O-2024-08-06',
    ])('accepts %s', (id) => {
      expect(isPinnedModelId(id)).toBe(true);
    });
  });

  describe('when the id is a floating alias', () => {
    it.each([
      'gpt-4o',
      'gpt-4o-mini',
      'gpt-5',
      'gpt-5-mini',
      'gpt-4.1',
      'gpt-4',
      'gpt-4-turbo',
      'gpt-3.5-turbo',
      'o1',
      'o3-mini',
      'claude-sonnet-4',
      'claude-sonnet-4-5',
      'claude-opus-4-1',
      'claude-3-5-sonnet',
      'claude-3-5-sonnet-latest',
      'chatgpt-4o-latest',
      'gpt-4o-2024-08-06-latest',
      'model-2024',
      'model-1399',
      'gpt-4o-2024-13-01',
      'gpt-4o-2024-08-32',
      'gpt-4o-120240806',
      '0613',
      '',
    ])('refuses %j', (id) => {
      expect(isPinnedModelId(id)).toBe(false);
    });
  });
});

describe(modelPinProblem.name, () => {
  it('explains the problem for an openai alias, starting with the field name', () => {
    expect(modelPinProblem({ provider: 'openai', id: 'gpt-4o' })).toBe(
      'id "gpt-4o" is a floating alias for provider openai: pin a dated snapshot (e.g. gpt-5-2025-08-07) or set allowAlias: true',
    );
  });

  it('gives an anthropic example for an anthropic alias', () => {
    expect(modelPinProblem({ provider: 'anthropic', id: 'claude-sonnet-4' })).toContain(
      'claude-sonnet-4-20250514',
    );
  });

  it('accepts an alias when allowAlias is true', () => {
    expect(modelPinProblem({ provider: 'openai', id: 'gpt-5', allowAlias: true })).toBeUndefined();
  });

  it('still refuses when allowAlias is false', () => {
    expect(modelPinProblem({ provider: 'openai', id: 'gpt-5', allowAlias: false })).toBeDefined();
  });

  it('accepts a pinned id', () => {
    expect(
      modelPinProblem({ provider: 'anthropic', id: 'claude-sonnet-4-20250514' }),
    ).toBeUndefined();
  });

  it.each([
    ['openai-compatible', 'llama3.1'],
    ['openai-compatible', 'gpt-4o'],
    ['scripted', 'scripted-v1'],
    ['scripted', 'anything'],
  ])('exempts provider %s (id %s)', (provider, id) => {
    expect(modelPinProblem({ provider, id })).toBeUndefined();
  });
});
