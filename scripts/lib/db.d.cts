// Types for db.cjs, so TS test helpers can `import { createDatabase } from '…/scripts/lib/db.cjs'`.

/** Creates database `name` on the server of `adminUrl` unless it exists; true when it created it. */
export function createDatabase(adminUrl: string, name: string): Promise<boolean>;
/** Drops database `name`, ending its sessions first; true when it dropped it. */
export function dropDatabase(adminUrl: string, name: string): Promise<boolean>;
/** The same URL pointing at database `name`. */
export function withDatabase(url: string, name: string): string;
/** The database named in a URL's path, if any. */
export function databaseName(url: string): string | undefined;
