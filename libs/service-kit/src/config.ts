import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { DEFAULT_PREFIX, PREFIX_PATTERN, parseAs } from '@tether/contracts';
import { ValidationError } from '@tether/errors';
import { DEFAULT_OFFLOAD_BYTES } from '@tether/event-store';

/**
 * Variables every service reads. A service's own config.ts extends this class; `loadConfig`
 * is the only place that reads `process.env`.
 */
export class BaseEnv {
  /** Subject prefix; stream names derive from it. */
  @IsOptional() @Matches(PREFIX_PATTERN) TETHER_PREFIX?: string;
  @IsOptional() @Matches(/^(nats|tls):\/\//) TETHER_NATS_URL?: string;
  @IsOptional() @Matches(/^postgres(ql)?:\/\//) DATABASE_URL?: string;
  @IsOptional() @Matches(/^\d+$/) TETHER_HTTP_PORT?: string;
  @IsOptional() @IsString() TETHER_HTTP_HOST?: string;
  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL?: string;
  /** Redelivery delay of an unacked message, in ms (a crashed worker's work moves on after it). */
  @IsOptional() @Matches(/^\d+$/) TETHER_ACK_WAIT_MS?: string;
  /** 1 on a single NATS server, 3 on a cluster. */
  @IsOptional() @Matches(/^[1-5]$/) TETHER_STREAM_REPLICAS?: string;
  /** Events larger than this many bytes keep their data in the payload bucket (1 KiB–900 KiB). */
  @IsOptional() @Matches(/^\d+$/) TETHER_OFFLOAD_BYTES?: string;
  /**
   * On SIGTERM, how long `/ready` answers 503 before the service stops taking requests, in ms:
   * time for a load balancer to notice and send new work elsewhere.
   */
  @IsOptional() @Matches(/^\d+$/) TETHER_SHUTDOWN_GRACE_MS?: string;
  // OpenTelemetry's standard variables that decide whether this service traces at all; the SDK
  // reads the rest (headers, protocol, batching) itself. See `tracingConfig`.
  @IsOptional() @IsString() OTEL_SDK_DISABLED?: string;
  @IsOptional() @IsString() OTEL_TRACES_EXPORTER?: string;
  @IsOptional() @IsString() OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  @IsOptional() @IsString() OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;
  @IsOptional() @IsString() OTEL_SERVICE_NAME?: string;
}

export interface TracingConfig {
  enabled: boolean;
  /** `service.name` of the process's spans. */
  serviceName: string;
}

export interface BaseConfig {
  service: string;
  version: string;
  prefix: string;
  natsUrl: string;
  databaseUrl: string;
  http: { host: string; port: number };
  logLevel: string;
  ackWaitMs: number;
  streamReplicas: number;
  offloadBytes: number;
  shutdownGraceMs: number;
  tracing: TracingConfig;
}

export class PortNumber {
  @IsInt() @Min(1) @Max(65535) port!: number;
}

/** Validates the environment against `cls`; fails fast with every problem named. */
export function parseEnv<T extends BaseEnv>(
  cls: new () => T,
  env: NodeJS.ProcessEnv,
  service: string,
): T {
  const known = Object.fromEntries(
    Object.entries(env).filter(([k]) =>
      /^(TETHER_|DATABASE_URL$|LOG_LEVEL$|OPENAI_|ANTHROPIC_|OTEL_)/.test(k),
    ),
  );
  const parsed = parseAs(cls, known);
  if (!parsed.ok) throw new ValidationError(`${service}: invalid configuration`, parsed.problems);
  return parsed.value;
}

export function baseConfig(
  env: BaseEnv,
  service: string,
  version: string,
  defaultPort: number,
): BaseConfig {
  return {
    service,
    version,
    prefix: env.TETHER_PREFIX ?? DEFAULT_PREFIX,
    natsUrl: env.TETHER_NATS_URL ?? 'nats://127.0.0.1:4222',
    databaseUrl: env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/tether',
    http: {
      host: env.TETHER_HTTP_HOST ?? '0.0.0.0',
      port: Number(env.TETHER_HTTP_PORT ?? defaultPort),
    },
    logLevel: env.LOG_LEVEL ?? 'info',
    // Short, because a dead worker's run moves on after it; live workers renew their messages at a third of it.
    ackWaitMs: Number(env.TETHER_ACK_WAIT_MS ?? 4_000),
    streamReplicas: Number(env.TETHER_STREAM_REPLICAS ?? 1),
    offloadBytes: offloadBytes(env.TETHER_OFFLOAD_BYTES),
    shutdownGraceMs: Number(env.TETHER_SHUTDOWN_GRACE_MS ?? 0),
    tracing: tracingConfig(env, service),
  };
}

/** A message holds 1 MB with its headers and envelope: a bigger threshold could not be sent. */
function offloadBytes(value: string | undefined): number {
  if (value === undefined) return DEFAULT_OFFLOAD_BYTES;
  const n = Number(value);
  if (n < 1024 || n > 900 * 1024) {
    throw new ValidationError('invalid configuration', [
      `TETHER_OFFLOAD_BYTES must be between 1024 and ${900 * 1024}, not ${value}`,
    ]);
  }
  return n;
}

/**
 * Tracing is off unless an exporter is asked for: an OTLP endpoint, or an explicit
 * `OTEL_TRACES_EXPORTER` other than `none` (`console`, `otlp` to the default
 * http://localhost:4318). So development and tests never export to nowhere, and
 * `OTEL_SDK_DISABLED=true` turns it off whatever else is set.
 */
export function tracingConfig(env: BaseEnv, service: string): TracingConfig {
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const disabled = env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true';
  const enabled =
    !disabled &&
    (exporters.length
      ? !exporters.includes('none')
      : Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT));
  return { enabled, serviceName: env.OTEL_SERVICE_NAME?.trim() || `tether-${service}` };
}
