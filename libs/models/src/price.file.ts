import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { BUILT_IN_PRICES, type PriceTable } from './price.table';

export class PriceTableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PriceTableError';
  }
}

const RATE_FIELDS = ['inputPerMTok', 'outputPerMTok', 'cachedInputPerMTok', 'reasoningPerMTok'];
const REQUIRED_RATES = ['inputPerMTok', 'outputPerMTok'];

const isRate = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/**
 * The price table an installation runs with: the built-in one, extended by an operator's file
 * (`TETHER_PRICES_FILE`, YAML or JSON) whose entries win:
 *
 * ```yaml
 * version: acme-2026-11-20          # recorded with every reservation; bump it with every change
 * models:
 *   openai:gpt-5-2025-08-07: { inputPerMTok: 1.25, cachedInputPerMTok: 0.125, outputPerMTok: 10 }
 * tools:
 *   charge_card: 0.03               # dollars per call
 * ```
 * Throws `PriceTableError` naming every problem, so a bad file stops the service at boot.
 */
export function loadPriceTable(file: string | undefined): PriceTable {
  if (!file) return BUILT_IN_PRICES;
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new PriceTableError(`cannot read the price table ${file}: ${(err as Error).message}`);
  }
  return mergePriceTable(doc, file);
}

export function mergePriceTable(doc: unknown, source = 'the price table'): PriceTable {
  const problems: string[] = [];
  const root = (doc ?? {}) as Record<string, unknown>;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new PriceTableError(`${source}: must be a mapping with version, models and tools`);
  const version = root.version;
  if (typeof version !== 'string' || !/^[\w.+-]{1,64}$/.test(version))
    problems.push('version: a name of up to 64 letters, digits, ".", "+", "-" or "_" is required');
  const models: Record<string, PriceTable['models'][string]> = { ...BUILT_IN_PRICES.models };
  for (const [key, value] of Object.entries(mapping(root.models, 'models', problems))) {
    if (!/^[\w-]+:\S+$/.test(key))
      problems.push(`models.${key}: key must be <provider>:<model id>`);
    const rates = (value ?? {}) as Record<string, unknown>;
    for (const field of REQUIRED_RATES)
      if (!isRate(rates[field])) problems.push(`models.${key}.${field}: a number ≥ 0 is required`);
    for (const field of Object.keys(rates)) {
      if (!RATE_FIELDS.includes(field)) problems.push(`models.${key}.${field}: unknown field`);
      else if (!isRate(rates[field])) problems.push(`models.${key}.${field}: must be a number ≥ 0`);
    }
    models[key] = Object.freeze(rates as unknown as PriceTable['models'][string]);
  }
  const tools: Record<string, number> = { ...BUILT_IN_PRICES.tools };
  for (const [name, value] of Object.entries(mapping(root.tools, 'tools', problems))) {
    if (!isRate(value)) problems.push(`tools.${name}: dollars per call, a number ≥ 0`);
    else tools[name] = value;
  }
  for (const key of Object.keys(root))
    if (!['version', 'models', 'tools'].includes(key)) problems.push(`${key}: unknown field`);
  if (problems.length) throw new PriceTableError(`${source}: ${problems.join('; ')}`);
  return Object.freeze({
    version: version as string,
    models: Object.freeze(models),
    tools: Object.freeze(tools),
  });
}

function mapping(value: unknown, name: string, problems: string[]): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${name}: must be a mapping`);
    return {};
  }
  return value as Record<string, unknown>;
}
