/**
 * Checks of services' replies. The replies are interfaces of the contract, not classes, so they
 * are checked field by field against a shape.
 */
export type Shape = Record<string, (v: unknown) => boolean>;

export const isString = (v: unknown) => typeof v === 'string';
export const isStringOrNull = (v: unknown) => v === null || typeof v === 'string';
export const isAmount = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
export const isAmountOrNull = (v: unknown) => v === null || isAmount(v);
export const isCount = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;

/** One problem per field of `shape` that `value` lacks or gets wrong, named from `path`. */
export function problemsOf(value: unknown, shape: Shape, path: string): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return [`${path} is not an object`];
  const record = value as Record<string, unknown>;
  return Object.entries(shape)
    .filter(([field, ok]) => !ok(record[field]))
    .map(([field]) => `${path}.${field} is missing or malformed`);
}
