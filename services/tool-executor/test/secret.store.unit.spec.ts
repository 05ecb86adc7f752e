import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvSecretStore } from '../src/adapters/secrets/secret.store';

describe(EnvSecretStore.name, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tether-secrets-'));
    writeFileSync(join(dir, 'CARRIER_TOKEN'), 'from-file\n');
    writeFileSync(join(dir, 'BOTH'), 'file-value');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const env: Record<string, string> = { TETHER_SECRET_BOTH: 'env-value' };
  const sut = () => new EnvSecretStore({ dir, env: (name) => env[`TETHER_SECRET_${name}`] });

  it('reads a file named after the secret, without its trailing newline', async () => {
    await expect(sut().get('CARRIER_TOKEN')).resolves.toBe('from-file');
  });

  it('prefers TETHER_SECRET_<NAME> over the file', async () => {
    await expect(sut().get('BOTH')).resolves.toBe('env-value');
  });

  it('fails a missing secret for good, naming it', async () => {
    await expect(sut().get('MISSING')).rejects.toMatchObject({
      name: 'ToolFailure',
      retryable: false,
      message: expect.stringContaining('secret MISSING is not set'),
    });
  });

  it('never reads outside its folder', async () => {
    await expect(sut().get('../etc/passwd')).rejects.toMatchObject({
      name: 'ToolFailure',
      retryable: false,
    });
  });

  it('has no secrets without a folder or variables', async () => {
    await expect(new EnvSecretStore().get('CARRIER_TOKEN')).rejects.toMatchObject({
      name: 'ToolFailure',
    });
  });
});
