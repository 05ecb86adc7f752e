import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { BaseEnv, baseConfig, parseEnv, type BaseConfig } from '@tether/service-kit';
import { resolveAgentsDir } from '@tether/agents';
import { loadPriceTable, type PriceTable } from '@tether/models';

export const SERVICE = 'orchestrator';
export const VERSION = '0.1.0';

class OrchestratorEnv extends BaseEnv {
  /** Folder of agent YAML files. */
  @IsOptional() TETHER_AGENTS_DIR?: string;
  /** Runs this instance drives at once. */
  @IsOptional() @Matches(/^\d+$/) TETHER_ORCHESTRATOR_CONCURRENCY?: string;
  /** Attempts of one model turn on each model of the chain (the agent's model, then its fallbacks). */
  @IsOptional() @Matches(/^\d+$/) TETHER_MODEL_MAX_ATTEMPTS?: string;
  /** Limit of one model call, in ms. */
  @IsOptional() @Matches(/^\d+$/) TETHER_MODEL_TIMEOUT_MS?: string;
  /** Keys of the model providers; a provider without its key refuses calls with a clear error. */
  @IsOptional() @IsString() OPENAI_API_KEY?: string;
  @IsOptional() @IsString() ANTHROPIC_API_KEY?: string;
  /** Where `openai` and `anthropic` models are called (default: the providers' own APIs), e.g. a proxy. */
  @IsOptional() @Matches(/^https?:\/\//) OPENAI_BASE_URL?: string;
  @IsOptional() @Matches(/^https?:\/\//) ANTHROPIC_BASE_URL?: string;
  /** Sent to `openai-compatible` servers (vLLM, Ollama, LiteLLM…); never the OpenAI key. */
  @IsOptional() @IsString() OPENAI_COMPATIBLE_API_KEY?: string;
  /**
   * `true` (default): every priced model and tool call is paid for in advance by the budget
   * service. `false` turns reservations off — for development without a budget service only.
   */
  @IsOptional() @IsIn(['true', 'false']) TETHER_BUDGET_ENFORCE?: string;
  /** How long a reservation waits for an absent budget service before the step fails closed (ms). */
  @IsOptional() @Matches(/^\d+$/) TETHER_BUDGET_WAIT_MS?: string;
  /** Events between two snapshots of a run's state (loading reads the latest and what follows); 0: none. */
  @IsOptional() @Matches(/^\d+$/) TETHER_SNAPSHOT_EVERY?: string;
  /** An operator's price table (YAML or JSON) extending the built-in one; see `loadPriceTable`. */
  @IsOptional() @IsString() TETHER_PRICES_FILE?: string;
}

export interface OrchestratorConfig extends BaseConfig {
  agentsDir: string;
  concurrency: number;
  modelMaxAttempts: number;
  modelTimeoutMs: number;
  providerKeys: { openai?: string; anthropic?: string; openaiCompatible?: string };
  providerUrls: { openai?: string; anthropic?: string };
  budget: { enforce: boolean; waitMs: number };
  prices: PriceTable;
  snapshotEvery: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): OrchestratorConfig {
  const e = parseEnv(OrchestratorEnv, env, SERVICE);
  return {
    ...baseConfig(e, SERVICE, VERSION, 3101),
    agentsDir: resolveAgentsDir(e.TETHER_AGENTS_DIR),
    concurrency: Number(e.TETHER_ORCHESTRATOR_CONCURRENCY ?? 512),
    modelMaxAttempts: Number(e.TETHER_MODEL_MAX_ATTEMPTS ?? 3),
    modelTimeoutMs: Number(e.TETHER_MODEL_TIMEOUT_MS ?? 60_000),
    providerKeys: {
      openai: e.OPENAI_API_KEY,
      anthropic: e.ANTHROPIC_API_KEY,
      openaiCompatible: e.OPENAI_COMPATIBLE_API_KEY,
    },
    providerUrls: { openai: e.OPENAI_BASE_URL, anthropic: e.ANTHROPIC_BASE_URL },
    budget: {
      enforce: e.TETHER_BUDGET_ENFORCE !== 'false',
      waitMs: Number(e.TETHER_BUDGET_WAIT_MS ?? 10_000),
    },
    prices: loadPriceTable(e.TETHER_PRICES_FILE),
    snapshotEvery: Number(e.TETHER_SNAPSHOT_EVERY ?? 100),
  };
}
