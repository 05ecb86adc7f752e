import { redactNatsUrl } from '@tether/event-store';
import { TetherClient } from '@tether/sdk';
import { parseArgv, type Invocation } from './argv.parser';
import { loadCliConfig, type CliConfig } from './cli.config';
import { ExitCode } from './cli.errors';
import { budgetCommand } from './commands/budget.command';
import { cancelCommand } from './commands/cancel.command';
import type { CommandContext } from './commands/command.context';
import { eventsCommand } from './commands/events.command';
import { keysCommand } from './commands/keys.command';
import { rebuildCommand } from './commands/rebuild.command';
import { runCommand } from './commands/run.command';
import { runsCommand, traceCommand } from './commands/runs.command';
import { spendCommand } from './commands/spend.command';
import { toolsCommand } from './commands/tools.command';
import { commandHelp, generalHelp } from './help.text';

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C: a followed run stops quietly. */
  signal: AbortSignal;
}

/** Runs one `tether` invocation and returns its exit code; never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const out = (line: string) => void io.stdout.write(`${line}\n`);
  const err = (line: string) => void io.stderr.write(`${line}\n`);

  if (argv.length === 0) {
    err(generalHelp());
    return ExitCode.Usage;
  }
  let invocation: Invocation;
  try {
    invocation = parseArgv(argv);
  } catch (e) {
    const { message, command } = e as Error & { command?: string };
    err(`tether: ${message}`);
    err(`Run "tether ${command ? `${command} ` : ''}--help" for usage.`);
    return ExitCode.Usage;
  }
  if (invocation.command === 'help') {
    out(invocation.topic ? commandHelp(invocation.topic) : generalHelp());
    return ExitCode.Ok;
  }

  const config = loadCliConfig(invocation.flags, io.env, Boolean(io.stdout.isTTY));
  let client: TetherClient | undefined;
  try {
    client = await TetherClient.connect({
      natsUrl: config.natsUrl,
      prefix: config.prefix,
      tenant: config.tenant,
      name: 'tether-cli',
    });
    const ctx: CommandContext = { client, config, out, err, stderr: io.stderr, signal: io.signal };
    return await dispatch(invocation, ctx);
  } catch (e) {
    return report(e, config, err);
  } finally {
    await client?.close().catch(() => undefined);
  }
}

function dispatch(
  invocation: Exclude<Invocation, { command: 'help' }>,
  ctx: CommandContext,
): Promise<ExitCode> {
  switch (invocation.command) {
    case 'run':
      return runCommand(ctx, invocation);
    case 'events':
      return eventsCommand(ctx, invocation.runId);
    case 'cancel':
      return cancelCommand(ctx, invocation.runId, invocation.reason);
    case 'rebuild':
      return rebuildCommand(ctx);
    case 'tools':
      return toolsCommand(ctx, invocation);
    case 'keys':
      return keysCommand(ctx, invocation);
    case 'spend':
      return spendCommand(ctx, invocation);
    case 'budget':
      return budgetCommand(ctx, invocation);
    case 'runs':
      return runsCommand(ctx, invocation);
    case 'trace':
      return traceCommand(ctx, invocation);
    default: {
      const never: never = invocation;
      throw new Error(`unhandled command ${JSON.stringify(never)}`);
    }
  }
}

/** One line per failure, no stack (unless TETHER_DEBUG=1); the exit code says which kind. */
function report(e: unknown, config: CliConfig, err: (line: string) => void): ExitCode {
  const error = e as Error & { remoteName?: string };
  switch (error?.name) {
    case 'ValidationError':
    case 'UsageError':
      err(`tether: ${error.message}`);
      return ExitCode.Usage;
    case 'NotFoundError':
      err(`tether: ${error.message} (tenant ${config.tenant}, prefix ${config.prefix})`);
      return ExitCode.Failed;
    case 'NatsUnavailableError':
      err(
        `tether: cannot reach NATS at ${redactNatsUrl(config.natsUrl)}: is the stack running? Start it with \`npm start\`, or point --nats / TETHER_NATS_URL at your server.`,
      );
      return ExitCode.Unavailable;
    case 'StreamUnavailableError':
    case 'ServiceUnavailableError':
      err(`tether: ${error.message} (start the stack with \`npm start\`)`);
      return ExitCode.Unavailable;
    case 'RemoteError':
      err(`tether: ${error.remoteName ?? 'the service'} refused: ${error.message}`);
      return ExitCode.Failed;
    default:
      err(`tether: ${error?.message ?? String(e)}`);
      if (config.debug && error?.stack) err(error.stack);
      return ExitCode.Failed;
  }
}
