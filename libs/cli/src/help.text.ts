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
  tools: `Usage: tether tools disable <tool> --reason "<why>" [--tenant <id>] [--by <who>]
       tether tools enable <tool> --reason "<why>" [--tenant <id>] [--by <who>]
       tether tools switches [--tenant <id>]

Per-tool kill switches. Every tool-executor watches them and refuses a switched-off tool
(tool.denied, reason kill_switch) within a second of the flip. Each flip is recorded first in
the audit trail (switch.flipped on <prefix>.ctl.<tenant|_all>.switch.tool), then written.
  --tenant <id>     the tenant the switch holds for; without it, every tenant. For these
                    commands only the flag counts: TETHER_TENANT does not narrow a switch
  --reason "<why>"  required: kept with the switch and in the audit trail
  --by <who>        who flips it (default: your OS user)

A tenant's own switch is read before the every-tenant one, and switching a tool on for one
tenant does not lift a switch that holds for every tenant. "switches" lists every switch (with
--tenant: those that apply to that tenant), on or off, with who flipped it and why.

Example: tether tools disable issue_refund --reason "refunds paused during incident 42"`,
  keys: `Usage: tether keys create --tenant <id> --subject <user> --roles a,b [--expires 30d] [--name "<label>"] [--by <who>]
       tether keys list --tenant <id>
       tether keys revoke <keyId> [--by <who>]

API keys of the gateway's HTTP API, managed through the gateway over NATS: the way to make a
tenant's first admin key. A key acts as one user (--subject) of one tenant with its roles
(admin, operator, approver, user).
  --tenant <id>     the key's tenant; required, and only the flag counts (not TETHER_TENANT)
  --subject <user>  the user id the key acts as (an approval decided with it is theirs)
  --roles <a,b>     its roles
  --expires <when>  a lifetime (90m, 12h, 30d, 8w) or an ISO 8601 time; none by default
  --name "<label>"  shown in listings
  --by <who>        recorded as who created or revoked it (default: your OS user)

"create" prints the key alone on stdout, and what it is on stderr: store it then, it is never
shown again (the gateway keeps only its SHA-256). "list" shows every key of the tenant with its
prefix, status and last use, never the key. "revoke" takes effect on the next request.

Example: tether keys create --tenant acme --subject u_12 --roles approver,user --expires 30d`,
};

export function generalHelp(): string {
  return `tether — control plane for tool-calling agents

Usage: tether <command> [arguments] [options]

Commands:
  run <agent> "<input>"   start a run (--follow to watch it)
  events <runId>          print a run's event log
  cancel <runId>          cancel a run
  rebuild                 rebuild trace-store's projections from the log
  tools disable <tool>    switch a tool off (--reason required; --tenant, else every tenant)
  tools enable <tool>     switch it back on
  tools switches          list the kill switches
  keys create             create an API key for the gateway (--tenant, --subject, --roles)
  keys list               list a tenant's API keys
  keys revoke <keyId>     revoke an API key
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
