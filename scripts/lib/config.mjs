// Settings shared by start.mjs and test.mjs: the repo root, a `.env` file (if any; variables
// already set in the environment win), and the defaults of DESIGN.md "Running it".
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where locally started infrastructure keeps its data (git-ignored). */
export const stateDir = join(root, '.tether');

/** The seven services and their default HTTP ports (override: TETHER_<NAME>_PORT). */
export const SERVICES = [
  ['orchestrator', 3101],
  ['tool-executor', 3102],
  ['approval', 3103],
  ['budget', 3104],
  ['trace-store', 3105],
  ['eval', 3106],
  ['gateway', 3000],
].map(([name, port]) => ({
  name,
  defaultPort: port,
  portVar: `TETHER_${name.toUpperCase().replace(/-/g, '_')}_PORT`,
}));

export function loadDotEnv() {
  const file = join(root, '.env');
  if (existsSync(file)) process.loadEnvFile(file);
}

/** process.env with the defaults filled in. */
export function settings(env = process.env) {
  return {
    prefix: env.TETHER_PREFIX || 'tether',
    natsUrl: env.TETHER_NATS_URL || 'nats://127.0.0.1:4222',
    databaseUrl: env.DATABASE_URL || 'postgres://root@127.0.0.1:5432/tether',
    agentsDir: env.TETHER_AGENTS_DIR || './agents',
    demo: (env.TETHER_DEMO ?? '1') !== '0',
    // Services log JSON; at the default level a newcomer's terminal shows warnings and errors only.
    logLevel: env.LOG_LEVEL || 'warn',
  };
}

export function servicePort(service, env = process.env) {
  const raw = env[service.portVar];
  if (raw === undefined || raw === '') return service.defaultPort;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${service.portVar}=${raw} is not a TCP port`);
  }
  return port;
}
