import { isCardNumber } from './id-number.validators';
import {
  CIRCULAR,
  MAX_DEPTH,
  REDACTED,
  RedactionKind,
  TRUNCATED,
  isMarker,
} from './redaction.kinds';
import { KeyClass, classifyKey } from './secret-key.rules';
import { anyTextRule, applyTextRules } from './text.rules';

export interface Redaction {
  /** A deep copy of the input as JSON would see it, with secrets and personal data replaced. */
  value: unknown;
  /**
   * Where something was replaced, in document order: keys and array indexes joined by `.`
   * (`headers.authorization`, `items.0.email`); `''` is the value itself. Includes places cut
   * at `MAX_DEPTH` and circular references.
   */
  paths: string[];
}

export interface TextRedaction {
  text: string;
  /** The kinds found, each once, in the order the rules run. */
  kinds: RedactionKind[];
}

/**
 * Redacts a JSON value before it is stored: values under secret-looking keys (see
 * `secret-key.rules.ts`) and patterns in every string (see `text.rules.ts`).
 *
 * The result is what `JSON.parse(JSON.stringify(value))` would give, redacted: `toJSON` is
 * honoured (a Date becomes its ISO string), `undefined`, functions and symbols are dropped from
 * objects and become `null` in arrays (a top-level one gives `undefined`), non-finite numbers
 * become `null`, and only own enumerable string keys are kept. Where JSON would throw, this does
 * not: a bigint becomes its decimal string, a circular reference `[CIRCULAR]`. Containers nested
 * deeper than `MAX_DEPTH` become `[TRUNCATED]`. The input is never changed.
 */
export function redact(value: unknown): Redaction {
  const walker = new Walker();
  const out = walker.value(value, '', 0);
  return { value: out === OMIT ? undefined : out, paths: walker.paths };
}

/** Replaces every pattern of `text.rules.ts` in `text`; keys play no part here. */
export function redactText(text: string): TextRedaction {
  const found: RedactionKind[] = [];
  const out = applyTextRules(text, found);
  return { text: out, kinds: [...new Set(found)] };
}

/** True if `redactText` would change `text`. Stops at the first rule that finds something. */
export function containsSensitive(text: string): boolean {
  return anyTextRule(text);
}

const OMIT = Symbol('omit');
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

class Walker {
  readonly paths: string[] = [];
  private readonly path: (string | number)[] = [];
  private readonly ancestors = new Set<object>();
  private readonly found: RedactionKind[] = [];

  /** The copy of `input` (under `key` in its parent) at `depth`, or OMIT where JSON drops it. */
  value(input: unknown, key: string, depth: number): Json | typeof OMIT {
    return this.resolved(toJson(input, key), depth);
  }

  private resolved(v: unknown, depth: number): Json | typeof OMIT {
    switch (typeof v) {
      case 'string':
        return this.string(v);
      case 'number':
        return this.number(v);
      case 'boolean':
        return v;
      case 'bigint':
        return this.string(v.toString());
      case 'object':
        return v === null ? null : this.container(v, depth);
      default: // undefined, function, symbol
        return OMIT;
    }
  }

  private string(s: string): string {
    this.found.length = 0;
    const out = applyTextRules(s, this.found);
    if (out !== s) this.record();
    return out;
  }

  // A card number stored as a JSON number (13+ digits, so ms timestamps qualify too, but they
  // start with 1 and no card does).
  private number(n: number): number | string | null {
    if (!Number.isFinite(n)) return null;
    if (n >= 1e13 && Number.isSafeInteger(n) && isCardNumber(String(n))) {
      this.record();
      return REDACTED.card;
    }
    return n;
  }

  private container(v: object, depth: number): Json {
    if (depth >= MAX_DEPTH) {
      this.record();
      return TRUNCATED;
    }
    if (this.ancestors.has(v)) {
      this.record();
      return CIRCULAR;
    }
    this.ancestors.add(v);
    try {
      return Array.isArray(v) ? this.array(v, depth) : this.object(v, depth);
    } finally {
      this.ancestors.delete(v);
    }
  }

  private array(items: unknown[], depth: number): Json[] {
    const out: Json[] = new Array(items.length);
    for (let i = 0; i < items.length; i++) {
      this.path.push(i);
      const item = this.value(items[i], String(i), depth + 1);
      this.path.pop();
      out[i] = item === OMIT ? null : item;
    }
    return out;
  }

  private object(obj: object, depth: number): { [key: string]: Json } {
    const out: { [key: string]: Json } = {};
    const source = obj as Record<string, unknown>;
    for (const key of Object.keys(source)) {
      this.path.push(key);
      const cls = classifyKey(key);
      const v =
        cls === KeyClass.none
          ? this.value(source[key], key, depth + 1)
          : this.secret(toJson(source[key], key), cls, depth + 1);
      this.path.pop();
      if (v === OMIT) continue;
      // A "__proto__" key from JSON.parse is an own property; plain assignment would instead
      // set the copy's prototype.
      if (key === '__proto__') {
        Object.defineProperty(out, key, {
          value: v,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else {
        out[key] = v;
      }
    }
    return out;
  }

  /**
   * A value under a secret key. Strings are hidden whole. Numbers only under numeric-code keys
   * (pin, cvv, otp, passwords): elsewhere secret names also carry counters (`token: 5`) and
   * flags (`auth: true`) that are worth keeping and cannot hold a credential. A container is
   * hidden whole if it holds any string (or, for numeric-code keys, any number); otherwise it is
   * copied like any other value.
   */
  private secret(v: unknown, cls: KeyClass, depth: number): Json | typeof OMIT {
    if (typeof v === 'string') {
      if (v === '' || isMarker(v)) return v;
      this.record();
      return REDACTED.secret;
    }
    if (typeof v === 'number' || typeof v === 'bigint') {
      if (cls !== KeyClass.numericSecret || (typeof v === 'number' && !Number.isFinite(v))) {
        return this.resolved(v, depth);
      }
      this.record();
      return REDACTED.secret;
    }
    if (typeof v !== 'object' || v === null) return this.resolved(v, depth);
    const mark = this.paths.length;
    const copy = this.resolved(v, depth);
    if (!holdsSecret(copy, cls === KeyClass.numericSecret)) return copy;
    this.paths.length = mark; // the whole value goes, so what was found inside does not count
    this.record();
    return REDACTED.secret;
  }

  private record(): void {
    this.paths.push(this.path.join('.'));
  }
}

/** What JSON.stringify would serialise in place of `v` (found under `key`). */
function toJson(v: unknown, key: string): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const withToJson = v as { toJSON?: unknown };
  if (typeof withToJson.toJSON === 'function') return withToJson.toJSON(key);
  // Boxed primitives serialise as their primitive, as in JSON.stringify.
  if (v instanceof String || v instanceof Number || v instanceof Boolean) return v.valueOf();
  return v;
}

/** Whether a copied (plain, acyclic, depth-bounded) value holds a non-empty string or a number. */
function holdsSecret(v: Json | typeof OMIT, numbers: boolean): boolean {
  if (typeof v === 'string') return v !== '';
  if (typeof v === 'number') return numbers;
  if (v === null || typeof v !== 'object') return false;
  const children = Array.isArray(v) ? v : Object.values(v);
  return children.some((child) => holdsSecret(child, numbers));
}
