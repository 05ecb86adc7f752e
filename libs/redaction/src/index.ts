/**
 * @tether/redaction: removes secrets and personal data from any JSON value before it is stored
 * (event log, database, traces). Pure: no I/O, no dependencies.
 */
export {
  redact,
  redactText,
  containsSensitive,
  type Redaction,
  type TextRedaction,
} from './redact';
export {
  REDACTED,
  RedactionKind,
  TRUNCATED,
  CIRCULAR,
  MAX_DEPTH,
  isMarker,
  type RedactedMarker,
} from './redaction.kinds';
export { KeyClass, classifyKey } from './secret-key.rules';
export { luhn, isCardNumber, isIban } from './id-number.validators';
export {
  SENSITIVE_FIXTURES,
  HARMLESS_FIXTURES,
  type SensitiveFixture,
  type HarmlessFixture,
} from './fixtures';
