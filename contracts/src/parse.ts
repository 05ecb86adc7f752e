import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError as ClassValidationError } from 'class-validator';
import { COMMANDS, type CommandBody } from './commands';
import { EventEnvelope, type TetherEvent } from './events/envelope';
import { EVENT_DATA, SCHEMA_VERSION, isEventType, type EventType } from './events/registry';
import { CommandName } from './subjects';
import { upcast } from './upcasters';
import { describeErrors, eventValidator, schemaValidator } from './event-validators';

/** The result of parsing untrusted input: never throws for bad input. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: string[] };

const OPTIONS = { forbidUnknownValues: true, validationError: { target: false, value: false } };

function flatten(errors: ClassValidationError[], path = ''): string[] {
  return errors.flatMap((e) => {
    const here = path ? `${path}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) =>
      m.startsWith(e.property) ? `${path ? path + '.' : ''}${m}` : `${here}: ${m}`,
    );
    return [...own, ...flatten(e.children ?? [], here)];
  });
}

/** Validates a plain object against a contract class. */
export function parseAs<T extends object>(cls: new () => T, plain: unknown): Parsed<T> {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    return { ok: false, problems: ['body must be a JSON object'] };
  }
  // class-transformer and the validators recurse: a body nested thousands of levels deep would
  // overflow the stack there, a crash that is redelivered instead of rejected.
  if (tooDeep(plain, MAX_JSON_DEPTH)) {
    return { ok: false, problems: [`body is nested deeper than ${MAX_JSON_DEPTH} levels`] };
  }
  const instance = plainToInstance(cls, plain);
  const errors = validateSync(instance, OPTIONS);
  return errors.length ? { ok: false, problems: flatten(errors) } : { ok: true, value: instance };
}

/**
 * `parseAs` for a class with a generated schema file, for requests on a hot path: the compiled
 * schema first (microseconds, against tens for the classes), the classes only for what it
 * refuses, so problems read the same whichever path found them.
 */
export function parseAsFast<T extends object>(
  cls: new () => T,
  schemaFile: string,
  plain: unknown,
): Parsed<T> {
  if (
    typeof plain === 'object' &&
    plain !== null &&
    !Array.isArray(plain) &&
    !tooDeep(plain, MAX_JSON_DEPTH) &&
    schemaValidator(schemaFile)(plain)
  ) {
    return { ok: true, value: plain as T };
  }
  return parseAs(cls, plain);
}

export function parseJson(bytes: Uint8Array | string): Parsed<unknown> {
  try {
    const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, problems: [`body is not valid JSON: ${(err as Error).message}`] };
  }
}

/** The deepest nesting of objects and arrays a message may have: far beyond real data, well short of what the validators survive. */
export const MAX_JSON_DEPTH = 256;

function tooDeep(value: unknown, budget: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (budget === 0) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (tooDeep(value[i], budget - 1)) return true;
    return false;
  }
  for (const key in value) {
    if (tooDeep((value as Record<string, unknown>)[key], budget - 1)) return true;
  }
  return false;
}

export function parseCommand<N extends CommandName>(
  name: N,
  plain: unknown,
): Parsed<CommandBody<N>> {
  // Every run.start is parsed twice (by its client and by the orchestrator): the compiled schema.
  return parseAsFast(
    COMMANDS[name] as unknown as new () => CommandBody<N>,
    `commands/${name}.schema.json`,
    plain,
  );
}

/**
 * Validates an envelope and its data by type, upcasting older schema versions first. Events of
 * the current version take the compiled fast path; anything it refuses is re-checked by the
 * contract classes, so problems read the same whichever path found them.
 */
export function parseEvent(plain: unknown): Parsed<TetherEvent> {
  const p = plain as { type?: unknown; schemaVersion?: unknown } | null;
  if (
    typeof p === 'object' &&
    p !== null &&
    isEventType(p.type) &&
    p.schemaVersion === SCHEMA_VERSION[p.type]
  ) {
    const validate = eventValidator(p.type);
    if (validate(plain)) return { ok: true, value: plain as TetherEvent };
    const slow = parseEventByClasses(plain);
    return slow.ok ? { ok: false, problems: describeErrors(validate.errors) } : slow;
  }
  return parseEventByClasses(plain);
}

function parseEventByClasses(plain: unknown): Parsed<TetherEvent> {
  const envelope = parseAs(EventEnvelope, plain);
  if (!envelope.ok) return envelope;
  const env = envelope.value;
  if (!isEventType(env.type)) return { ok: false, problems: [`unknown event type "${env.type}"`] };
  const type: EventType = env.type;
  const current = SCHEMA_VERSION[type];
  if (env.schemaVersion > current) {
    return {
      ok: false,
      problems: [`${type} schemaVersion ${env.schemaVersion} is newer than ${current}`],
    };
  }
  // Checked here, not left to parseAs: upcasters may assume an object, and parseAs would report
  // the problem as "data.body …".
  if (typeof env.data !== 'object' || env.data === null || Array.isArray(env.data)) {
    return { ok: false, problems: ['data must be a JSON object'] };
  }
  let raw = env.data as Record<string, unknown>;
  if (env.schemaVersion < current) {
    try {
      raw = upcast(type, env.schemaVersion, raw, current);
    } catch (err) {
      return { ok: false, problems: [(err as Error).message] };
    }
  }
  const data = parseAs(EVENT_DATA[type] as new () => object, raw);
  if (!data.ok) return { ok: false, problems: data.problems.map((p) => `data.${p}`) };
  return {
    ok: true,
    value: { ...env, schemaVersion: current, data: data.value } as unknown as TetherEvent,
  };
}
