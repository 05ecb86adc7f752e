import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { EventType } from './events/registry';

/**
 * Compiled validators for the current version of each event, built from the JSON Schemas that
 * are generated from the contract classes (contracts/schemas, kept in sync by a test). Events
 * are validated on every append and every read, so this path must cost microseconds;
 * class-validator stays the source of truth and the validator of everything else.
 */
const ajv = new Ajv({ allErrors: true, strict: false });
// ajv-formats may resolve its own copy of ajv 8 (the root holds ajv 6 for eslint): same API, other type identity.
addFormats(ajv as unknown as Parameters<typeof addFormats>[0]);
const compiled = new Map<string, ValidateFunction>();

/** The compiled validator of one generated schema file (its path under `contracts/schemas/`). */
export function schemaValidator(file: string): ValidateFunction {
  let v = compiled.get(file);
  if (!v) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    v = ajv.compile(require(`../schemas/${file}`));
    compiled.set(file, v);
  }
  return v;
}

export function eventValidator(type: EventType): ValidateFunction {
  return schemaValidator(`events/${type}.schema.json`);
}

export function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map(
    (e) =>
      `${e.instancePath.slice(1).replace(/\//g, '.') || '(event)'} ${e.message ?? 'is invalid'}`,
  );
}
