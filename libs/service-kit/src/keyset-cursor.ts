import { ValidationError } from '@tether/errors';

/**
 * The cursor of a newest-first list ordered by (time, id): the last item of the previous page,
 * opaque to callers.
 */
export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { at: string; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!at || !id || Number.isNaN(Date.parse(at))) throw new ValidationError('cursor is not valid');
  return { at, id };
}
