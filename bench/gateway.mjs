// The gateway's figures: HTTP create-run latency under load (autocannon, a second process on
// loopback) and SSE first-event latency (a client creates a run over HTTP and reads its events).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { root } from '../scripts/lib/config.mjs';
import { pct, round } from './stats.mjs';

/** An API key for the bench's tenant, made over the bus as an operator bootstraps one. */
async function createKey(nc, prefix, tenant) {
  const reply = await nc.request(
    `${prefix}.svc.gateway.keys.create`,
    new TextEncoder().encode(
      JSON.stringify({ tenantId: tenant, subject: 'bench-user', roles: ['user'] }),
    ),
    { timeout: 5_000 },
  );
  const body = JSON.parse(new TextDecoder().decode(reply.data));
  if (!body.ok) throw new Error(`keys.create failed: ${body.error?.message}`);
  return body.result.key;
}

/** Milliseconds from sending `POST /v1/runs` to the run's first event on its SSE stream. */
async function firstEventLatency(baseUrl, key) {
  const t0 = performance.now();
  const created = await fetch(`${baseUrl}/v1/runs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ agent: 'bench-agent', input: 'go' }),
  });
  if (created.status !== 202) throw new Error(`create answered ${created.status}`);
  const { runId } = await created.json();
  const stop = new AbortController();
  const res = await fetch(`${baseUrl}/v1/runs/${runId}/events`, {
    headers: { authorization: `Bearer ${key}` },
    signal: stop.signal,
  });
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`the stream of ${runId} ended without an event`);
    text += decoder.decode(value, { stream: true });
    if (/^event: /m.test(text)) break;
  }
  const ms = performance.now() - t0;
  stop.abort();
  return ms;
}

/** Runs autocannon in its own process and returns its JSON report. */
function autocannon(args) {
  return new Promise((resolve, reject) => {
    const bin = join(root, 'node_modules', 'autocannon', 'autocannon.js');
    const child = spawn(process.execPath, [bin, '--json', ...args], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`autocannon exited ${code}`)),
    );
  });
}

export async function benchGateway({
  nc,
  prefix,
  tenant,
  port,
  firstEvents,
  connections,
  seconds,
  log,
}) {
  const baseUrl = `http://127.0.0.1:${port}`;
  const key = await createKey(nc, prefix, tenant);

  log(`gateway: ${firstEvents} runs created over HTTP, each followed over SSE`);
  const firsts = [];
  for (let i = 0; i < firstEvents; i++) firsts.push(await firstEventLatency(baseUrl, key));

  const createRunMs = {};
  for (const c of [1, connections]) {
    log(`gateway: POST /v1/runs from autocannon, ${c} connection(s) for ${seconds} s`);
    const report = await autocannon([
      '-c',
      String(c),
      '-d',
      String(seconds),
      '-m',
      'POST',
      '-H',
      `authorization=Bearer ${key}`,
      '-H',
      'content-type=application/json',
      '-b',
      JSON.stringify({ agent: 'bench-agent', input: 'go' }),
      `${baseUrl}/v1/runs`,
    ]);
    if (report['2xx'] === 0) throw new Error('autocannon: no run was accepted');
    createRunMs[`connections${c}`] = {
      p50: report.latency.p50,
      p99: report.latency.p99,
      requestsPerSecond: round(report.requests.average, 1),
      seconds,
      accepted: report['2xx'],
      refused: report.non2xx + report.errors + report.timeouts,
    };
  }

  return {
    // Each accepted run then runs: the services share the machine's cores with autocannon.
    createRunMs,
    sseFirstEventMs: {
      p50: round(pct(firsts, 0.5)),
      p99: round(pct(firsts, 0.99)),
      runs: firsts.length,
      from: 'POST /v1/runs sent',
    },
  };
}
