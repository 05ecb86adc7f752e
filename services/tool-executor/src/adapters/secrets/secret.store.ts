import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SecretsConfig } from '../../config';
import { ToolFailure } from '../../domain/tool-handler';

/** The names agent YAML may give a secret (the agents loader checks the same pattern). */
const SECRET_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/**
 * Named secrets for tool sources (HTTP headers, later MCP env). Nest injects it by this class.
 * `get` answers the value or throws a non-retryable `ToolFailure` that names the secret and
 * never holds a value.
 */
export abstract class SecretStore {
  abstract get(name: string): Promise<string>;
}

/**
 * `TETHER_SECRET_<NAME>` first, then the file `<TETHER_SECRETS_DIR>/<NAME>` (docker and
 * Kubernetes secrets). Read on every call, so a rotated file is picked up without a restart.
 */
export class EnvSecretStore extends SecretStore {
  constructor(private readonly config: SecretsConfig = {}) {
    super();
  }

  async get(name: string): Promise<string> {
    if (!SECRET_NAME.test(name))
      throw new ToolFailure(`"${name.slice(0, 64)}" is not a valid secret name`, false);
    const fromEnv = this.config.env?.(name);
    if (fromEnv) return fromEnv;
    if (this.config.dir) {
      const file = await this.readFile(name, this.config.dir);
      if (file) return file;
    }
    throw new ToolFailure(
      `secret ${name} is not set (TETHER_SECRET_${name}, or a file ${name} in TETHER_SECRETS_DIR)`,
      false,
    );
  }

  private async readFile(name: string, dir: string): Promise<string | undefined> {
    try {
      // Secret files are usually written with a trailing newline that is not part of the value.
      return (await readFile(join(dir, name), 'utf8')).replace(/\r?\n$/, '');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      throw new ToolFailure(`secret ${name} could not be read (${code ?? 'error'})`, false);
    }
  }
}
