import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth and `undefined` members left out, so equal content
 * gives equal text whatever the key order or YAML layout. Arrays keep their order: tool and
 * permission order change behaviour.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const toJSON = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof toJSON === 'function') return canonicalJson(toJSON.call(value));
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .filter((k) => record[k] !== undefined && typeof record[k] !== 'function')
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`);
  return `{${members.join(',')}}`;
}

/** `rel_` + the first 16 hex characters of the SHA-256 of the canonical JSON. */
export function releaseHash(spec: object): string {
  return 'rel_' + createHash('sha256').update(canonicalJson(spec)).digest('hex').slice(0, 16);
}
