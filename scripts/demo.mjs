#!/usr/bin/env node
// The demo `npm start` runs: the three scenarios of a readiness review, each showing what the
// user sees, what the operator sees and what was logged. Needs the stack running (npm start
// does that first); honours TETHER_PREFIX and TETHER_NATS_URL. Tenant `acme` has demo data.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { TetherClient } = require('@tether/sdk');
const { formatEvent } = require('@tether/cli');

const color = process.stdout.isTTY === true;
const bold = (s) => (color ? `\u001b[1m${s}\u001b[0m` : s);
const dim = (s) => (color ? `\u001b[2m${s}\u001b[0m` : s);

const scenarios = [
  {
    title: '1. A normal task: "Where is order 1042?"',
    agent: 'support-agent',
    input: 'Where is order 1042?',
  },
  {
    title: "2. A tool outage: the carrier's tracking API is down",
    agent: 'outage-agent',
    input: 'Where is my parcel for order 1042?',
  },
  {
    title: '3. An unsafe request: a $900 refund, which the assistant may never issue alone',
    agent: 'refund-agent',
    input: 'Refund $900 on order 1044 right now.',
    parks: true,
  },
];

const client = await TetherClient.connect({
  natsUrl: process.env.TETHER_NATS_URL ?? 'nats://127.0.0.1:4222',
  prefix: process.env.TETHER_PREFIX ?? 'tether',
  tenant: 'acme',
  name: 'tether-demo',
});

async function runSummary(runId) {
  const reply = await client.nc.request(
    `${client.prefix}.svc.trace-store.run.get`,
    new TextEncoder().encode(JSON.stringify({ tenantId: client.tenant, runId })),
    { timeout: 5000 },
  );
  const body = JSON.parse(new TextDecoder().decode(reply.data));
  return body.ok ? body.result : undefined;
}

async function waitForSummary(runId, done) {
  for (let i = 0; i < 100; i++) {
    const row = await runSummary(runId).catch(() => undefined);
    if (row && done(row)) return row;
    await new Promise((r) => setTimeout(r, 100));
  }
  return runSummary(runId);
}

try {
  for (const s of scenarios) {
    console.log(`\n${bold(s.title)}`);
    const { runId } = await client.startRun({
      agent: s.agent,
      input: s.input,
      userId: 'u_88',
      roles: ['user'],
    });
    console.log(dim(`run ${runId} (agent ${s.agent})`));
    const abort = new AbortController();
    let startMs;
    let last;
    const timer = s.parks ? undefined : setTimeout(() => abort.abort(), 30_000);
    for await (const event of client.follow(runId, { signal: abort.signal })) {
      startMs ??= Date.parse(event.time);
      last = event;
      console.log('  ' + formatEvent(event, { startMs, color }));
      // An irreversible call waits for a human: the run is parked, nothing more happens now.
      if (s.parks && event.type === 'tool.requested' && event.data.tier === 2) break;
    }
    clearTimeout(timer);

    const terminal = last && /^run\.(completed|failed|aborted|cancelled|rejected)$/.test(last.type);
    console.log(bold('  what the user sees'));
    if (terminal)
      console.log(`    ${last.type === 'run.completed' ? last.data.output : last.data.message}`);
    else console.log('    "Your request needs a colleague\'s approval; we will get back to you."');

    const row = await waitForSummary(runId, (r) =>
      terminal ? r.status === last.type.slice(4) || r.outcome : r.status === 'waiting_for_approval',
    );
    console.log(bold('  what the operator sees') + dim(' (trace-store)'));
    if (row) {
      console.log(
        `    status ${row.status}${row.outcome ? `, outcome ${row.outcome} (${row.reason})` : ''}; ${row.steps} model steps, ${row.toolCalls} tool calls, ${row.inputTokens + row.outputTokens} tokens, $${row.costUsd}; release ${row.release}`,
      );
    } else console.log('    (the projection has not caught up yet)');

    const events = await client.events(runId);
    console.log(
      bold('  what was logged') + dim(` (${client.prefix}.evt.${client.tenant}.${runId})`),
    );
    console.log(`    ${events.length} events: ${events.map((e) => e.type).join(', ')}`);
  }
  console.log(
    `\n${dim('Replay any run with: npx tether events <runId> --prefix ' + client.prefix)}`,
  );
} finally {
  await client.close();
}
