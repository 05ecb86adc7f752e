import { CAP_NAMES, MAX_RUN_PAGE, Outcome, RUN_STATUSES, SPEND_GROUPS } from '@tether/contracts';
import { DEFAULT_SPEND_GROUP, type CommandName } from './argv.parser';
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
  run: `Usage: tether run <agent> "<input>" [--follow | --wait] [--mode live|shadow|dry-run] [--roles a,b]

Starts a run of <agent> and prints its run id.
  -f, --follow      print every event as it is appended, then the outcome; exit 0 only on success
  -w, --wait        print only the outcome once the run ends; exit 0 only on success
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
  spend: `Usage: tether spend [--tenant <id>] [--by ${SPEND_GROUPS.join('|')}] [--from YYYY-MM-DD] [--to YYYY-MM-DD]
                    [--user <id>] [--agent <name>] [--model <provider:model>] [--json]

The tenant's settled spend (model and tool calls) from the budget service, one line per group
with its dollars, calls and share of the total, then the total and what is held for calls
under way. Days are UTC and both ends are included.
  --by <group>      ${SPEND_GROUPS.join(', ')} (default: ${DEFAULT_SPEND_GROUP})
  --from, --to      first and last day (default: the 30 days up to today)
  --user <id>       only this user's spend
  --agent <name>    only this agent's
  --model <p:m>     only this model's, as <provider>:<model id>
  --json            the report as one JSON object

Example: tether spend --by user --from 2026-11-01`,
  budget: `Usage: tether budget caps [--tenant <id>]
       tether budget set <cap> <usd|none> [--tenant <id> | --global] [--user <id>] --by <who> --reason "<why>"

Budget caps: every model and tool call reserves its worst-case cost first, and a call that
would cross a cap is refused. "caps" lists the caps that hold for the tenant: its own and the
global ones (scope "every tenant"). "set" sets a cap, or removes it with "none"; the change is
recorded first in the audit trail (budget.cap.changed on <prefix>.ctl.<tenant|_all>.budget.cap)
and holds for the next reservation.
  <cap>             ${CAP_NAMES.join(', ')}
                    (user_* for each user, tenant_* for the tenant, global_* for every tenant;
                    days and months are UTC)
  <usd|none>        dollars per period (5, 12.50, $0.25), or none to remove the cap
  --tenant <id>     the tenant (default: TETHER_TENANT, else ${CLI_DEFAULTS.tenant})
  --global          a cap for the whole installation (tenant _all); global_* caps need it
  --user <id>       a user_* cap for this one user; without it, the default for every user
  --by <who>        required: who changes the cap, kept in the audit trail
  --reason "<why>"  required: kept with the cap and in the audit trail

Example: tether budget set user_daily 5 --user u_88 --by alice@ops --reason "trial account"`,
  runs: `Usage: tether runs [--tenant <id>] [--user <id>] [--agent <name>] [--release <hash>]
                   [--status <status>] [--outcome <outcome>] [--tool <name>] [--from <time>]
                   [--to <time>] [--limit <n>] [--cursor <c>] [--json]

The tenant's runs as the trace-store projects them, newest first: one line each with its
agent, user, status, outcome (reason), steps, tool calls, tokens, cost, start (UTC) and
duration. When more runs match, the last line gives the --cursor of the next page.
  --user <id>          only this user's runs
  --agent <name>       only this agent's
  --release <hash>     only runs of this agent release
  --status <status>    ${RUN_STATUSES.join(', ')}
  --outcome <outcome>  ${Object.values(Outcome).join(', ')}
  --tool <name>        only runs that called (or asked to call) this tool
  --from, --to <time>  runs created at or after --from and before --to: an ISO 8601 time
                       with its zone (2026-11-21T09:00:00Z) or a day (UTC midnight)
  --limit <n>          runs per page, 1-${MAX_RUN_PAGE} (default 50)
  --cursor <c>         the page after the one that printed this cursor
  --json               the page as one JSON object ({ items, nextCursor })

Example: tether runs --agent support-agent --status failed --limit 20
         tether runs --tool issue_refund --outcome partial`,
  trace: `Usage: tether trace <runId> [--tenant <id>] [--events] [--json]

What a run did, from the trace-store: a header (agent, release, user, status, outcome and
reason, duration, steps, tokens, cost), then each model turn with its attempts (model, latency,
tokens, cost, finish reason; a failed attempt with its error), the tool calls it proposed (tier,
status, latency, arguments and result shortened, why it was denied or failed and by which rule,
the guardrail's verdict), their approvals (who asked, who decided, when) and guardrail triggers,
then the answer (or the end user's message when the run did not succeed). Times are offsets from
the run's start (+1.234s). The trace-store may lag the log briefly; "tether events" reads the log.
  --events             the projected events instead, one line each, offset from the first
  --json               the timeline as one JSON object (with --events: the run, then one
                       JSON object per event)

Example: tether trace run_01JD3X4Q9V7ZC8M2N5P6R7S8T9`,
};

export function generalHelp(): string {
  return `tether — control plane for tool-calling agents

Usage: tether <command> [arguments] [options]

Commands:
  run <agent> "<input>"   start a run (--follow to watch it, --wait for its outcome)
  events <runId>          print a run's event log
  runs                    list the tenant's runs (--status, --agent, --user, --from, …)
  trace <runId>           what a run did, step by step, from the trace-store
  cancel <runId>          cancel a run
  rebuild                 rebuild trace-store's projections from the log
  tools disable <tool>    switch a tool off (--reason required; --tenant, else every tenant)
  tools enable <tool>     switch it back on
  tools switches          list the kill switches
  keys create             create an API key for the gateway (--tenant, --subject, --roles)
  keys list               list a tenant's API keys
  keys revoke <keyId>     revoke an API key
  spend                   the tenant's spend (--by user, agent, model, day, tenant)
  budget caps             list the budget caps that hold for the tenant
  budget set <cap> <usd>  set a budget cap, or remove it with none (--by, --reason required)
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
