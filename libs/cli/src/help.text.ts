import type { CommandName } from './argv.parser';
import { CLI_DEFAULTS } from './cli.config';

const GLOBAL_OPTIONS = `Options (every command):
  --nats <url>      NATS server (env TETHER_NATS_URL, default ${CLI_DEFAULTS.natsUrl})
  --prefix <p>      subject prefix (env TETHER_PREFIX, default ${CLI_DEFAULTS.prefix})
  --tenant <id>     tenant (env TETHER_TENANT, default ${CLI_DEFAULTS.tenant})
  --user <id>       who you act as (default ${CLI_DEFAULTS.user})
  --json            one JSON object per line instead of readable output
  -h, --help        this help`;

const EXIT_CODES = `Exit codes: 0 ok, 1 run not successful / command rejected / failed, 2 bad usage,
            3 NATS or the Tether services unreachable, 130 interrupted.`;

const COMMAND_HELP: Record<CommandName, string> = {
  run: `Usage: tether run <agent> "<input>" [--follow] [--mode live|shadow|dry-run] [--roles a,b]

Starts a run of <agent> and prints its run id.
  -f, --follow      print every event as it is appended, then the outcome; exit 0 only on success
  --mode <mode>     live (default), shadow (tools in dry-run) or dry-run
  --roles <a,b>     roles of the user (default: user)

Example: tether run support-agent "Where is order 1042?" --follow`,
  events: `Usage: tether events <runId>

Prints the whole log of one run, one line per event, then its outcome if it has ended.`,
  cancel: `Usage: tether cancel <runId> [--reason "<why>"]

Asks the orchestrator to cancel a run and waits (up to 10 s) for the answer: the run's
run.cancelled, or the command's rejection (unknown or finished run).`,
  rebuild: `Usage: tether rebuild

Asks trace-store to drop its projections and replay the whole event log, showing progress
until the projections have caught up with the log.`,
};

export function generalHelp(): string {
  return `tether — control plane for tool-calling agents

Usage: tether <command> [arguments] [options]

Commands:
  run <agent> "<input>"   start a run (--follow to watch it)
  events <runId>          print a run's event log
  cancel <runId>          cancel a run
  rebuild                 rebuild trace-store's projections from the log
  help [command]          help for a command (or: tether <command> --help)

${GLOBAL_OPTIONS}

${EXIT_CODES}
`;
}

export function commandHelp(command: CommandName): string {
  return `${COMMAND_HELP[command]}

${GLOBAL_OPTIONS}
`;
}
