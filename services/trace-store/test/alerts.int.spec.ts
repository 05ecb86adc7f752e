import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Header, streamNames, subjects, type AlertFired } from '@tether/contracts';
import { EventStore, toEnvelopes, type Decided } from '@tether/event-store';
import { startService } from '@tether/service-kit';
import {
  aModelResponded,
  aRunStarted,
  aToolCompleted,
  aToolRequested,
  eventually,
  metricsUrl,
  scrapeMetrics,
  startIsolatedService,
  type IsolatedService,
} from '@tether/testing';
import { WEBHOOK_ID_HEADER, WEBHOOK_SIGNATURE_HEADER, verifyWebhook } from '@tether/webhooks';
import { AlertEvaluator, CLAIM_LEASE_MS } from '../src/application/alert-evaluator';
import type { Clock } from '../src/application/alert.ports';
import { loadConfig } from '../src/config';
import { traceStoreService } from '../src/trace-store.module';

const SECRET = 'alerts-test-secret';
/** Its receiver refuses every webhook, as a misconfigured one would. */
const REFUSED_TENANT = 'hooli';

class SetClock implements Clock {
  constructor(private at: number) {}
  now = () => new Date(this.at);
  set(iso: string) {
    this.at = Date.parse(iso);
  }
}

interface Hook {
  headers: IncomingHttpHeaders;
  raw: string;
  body: { id: string; type: string; tenantId: string; data: AlertFired };
}

/** A webhook receiver on a local port that keeps what it gets, raw, to check signatures. */
class Receiver {
  readonly hooks: Hook[] = [];
  private readonly server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const body = JSON.parse(raw);
      this.hooks.push({ headers: req.headers, raw, body });
      res.writeHead(body.tenantId === REFUSED_TENANT ? 400 : 204).end();
    });
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/alerts`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const T0 = '2026-11-21T12:04:00.000Z';
/** Inside every window that ends at T0 (5 and 15 minutes). */
const RECENT = '2026-11-21T12:02:00.000Z';

let nextCall = 0;
const toolCall = (failed: boolean, costUsd?: number): Decided[] => {
  const callId = `call_${++nextCall}`;
  return [
    { type: 'tool.requested', data: aToolRequested(callId) },
    failed
      ? {
          type: 'tool.failed',
          data: {
            callId,
            tool: 'lookup_order',
            reason: 'tool_error',
            error: 'HTTP 502',
            retryable: false,
          },
        }
      : { type: 'tool.completed', data: aToolCompleted(callId, { costUsd }) },
  ];
};

const started = (agent: string, release: string): Decided => ({
  type: 'run.started',
  data: aRunStarted({ agent, release }),
});

const modelCalls = (n: number, over: { latencyMs?: number; costUsd?: number }): Decided[] =>
  Array.from({ length: n }, (_, i) => ({
    type: 'model.responded',
    data: aModelResponded(i + 1, { attempt: 1, ...over }),
  }));

const ended = (aborted?: string): Decided =>
  aborted
    ? {
        type: 'run.aborted',
        data: { outcome: 'aborted', reason: aborted, message: 'The agent stopped.' },
      }
    : {
        type: 'run.completed',
        data: { outcome: 'success', reason: 'completed', message: 'Done.', output: 'ok' },
      };

describe(AlertEvaluator.name, () => {
  let ts: IsolatedService;
  let sut: AlertEvaluator;
  let receiver: Receiver;
  let dir: string;
  /** The first instance's environment: a second one shares its prefix and database. */
  let env: NodeJS.ProcessEnv;
  const clock = new SetClock(Date.parse(T0));
  let appended = 0;
  const first: AlertFired[] = [];

  async function appendRun(tenantId: string, runId: string, parts: Array<[string, Decided[]]>) {
    const store = new EventStore(ts.sut.nc, ts.prefix);
    let seq = 0;
    for (const [time, decided] of parts) {
      seq = await store.appendAll(
        toEnvelopes(decided, { tenantId, runId, source: 'test@0', time }),
        seq,
      );
      appended += decided.length;
    }
  }

  const sql = <T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]> =>
    ts.sut.dataSource.query(text, params);

  /** How many records each alert subject of `_CTL` holds. */
  async function ctlCounts(): Promise<Record<string, number>> {
    const jsm = await ts.sut.nc.jetstreamManager();
    const info = await jsm.streams.info(streamNames(ts.prefix).ctl, {
      subjects_filter: subjects.alerts(ts.prefix, '*'),
    });
    return info.state.subjects ?? {};
  }

  async function lastAlertOf(tenantId: string) {
    const jsm = await ts.sut.nc.jetstreamManager();
    const m = await jsm.streams.getMessage(streamNames(ts.prefix).ctl, {
      last_by_subj: subjects.alerts(ts.prefix, tenantId),
    });
    return {
      msgId: m.header.get(Header.MsgId),
      type: m.header.get(Header.Type),
      record: JSON.parse(new TextDecoder().decode(m.data)) as AlertFired,
    };
  }

  const byRule = (alerts: AlertFired[], rule: string) => alerts.filter((a) => a.rule === rule);

  beforeAll(async () => {
    receiver = new Receiver();
    const url = await receiver.listen();
    dir = mkdtempSync(join(tmpdir(), 'alerts-int-'));
    const file = join(dir, 'alerts.yaml');
    // The built-in rules, and one on run duration for the agent that is slow as a whole.
    writeFileSync(
      file,
      [
        'rules:',
        '  - name: slow-runs',
        '    kind: latency_p99',
        '    of: run',
        '    thresholdMs: 60000',
        '    minSample: 1',
        '    agents: [sleepy]',
      ].join('\n'),
    );
    ts = await startIsolatedService('alerts', (base) => {
      env = {
        ...base,
        TETHER_ALERT_INTERVAL_MS: '0',
        TETHER_ALERTS_FILE: file,
        TETHER_ALERT_WEBHOOK_URL: url,
        TETHER_ALERT_WEBHOOK_SECRET: SECRET,
      };
      return traceStoreService(loadConfig(env), { clock });
    });
    sut = ts.sut.app.get(AlertEvaluator);

    const calls = (failed: number, ok: number) => [
      ...Array.from({ length: failed }, () => toolCall(true)).flat(),
      ...Array.from({ length: ok }, () => toolCall(false)).flat(),
    ];
    // acme's support release fails 15 of its 25 tool calls; its billing agent 2 of 25.
    await appendRun('acme', 'run_flaky', [
      [RECENT, [started('support', 'rel_a'), ...calls(15, 10)]],
    ]);
    await appendRun('acme', 'run_billing', [
      [RECENT, [started('billing', 'rel_b'), ...calls(2, 23)]],
    ]);
    // The same agent and release at globex is healthy: together with acme's it would be 30%.
    await appendRun('globex', 'run_fine', [
      [RECENT, [started('support', 'rel_a'), ...calls(0, 25)]],
    ]);
    // 20 runs of looper end: 3 in a loop, 1 out of steps, 16 completed.
    const endings = ['loop_detected', 'loop_detected', 'loop_detected', 'max_steps'];
    for (let i = 0; i < 20; i++)
      await appendRun('initech', `run_loop_${i}`, [
        [RECENT, [started('looper', 'rel_l'), ended(endings[i])]],
      ]);
    // slowpoke's 20 model calls took 40 s each.
    await appendRun('initech', 'run_slow', [
      [RECENT, [started('slowpoke', 'rel_s'), ...modelCalls(20, { latencyMs: 40_000 })]],
    ]);
    // sleepy's run took 12 minutes.
    await appendRun('initech', 'run_sleepy', [
      ['2026-11-21T11:50:00.000Z', [started('sleepy', 'rel_z')]],
      [RECENT, [ended()]],
    ]);
    // spender spent $24 over the day before ($0.25 per 15 minutes), then $5 in 15 minutes: four
    // model calls and one priced tool.
    await appendRun('initech', 'run_spend_before', [
      [
        '2026-11-21T06:00:00.000Z',
        [started('spender', 'rel_m'), ...modelCalls(2, { costUsd: 12 })],
      ],
    ]);
    await appendRun('initech', 'run_spend_now', [
      [
        RECENT,
        [started('spender', 'rel_m'), ...modelCalls(4, { costUsd: 1 }), ...toolCall(false, 1)],
      ],
    ]);
    await eventually(async () => {
      const [row] = await sql<{ n: string }>(`SELECT count(*) AS n FROM trace_events`);
      return Number(row.n) === appended || undefined;
    }, `${appended} events projected`);
  });

  afterAll(async () => {
    await ts?.stop();
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fires each rule once for the groups above its threshold, though two evaluations race', async () => {
    first.push(...(await Promise.all([sut.evaluate(), sut.evaluate()])).flat());
    expect(first.map((a) => [a.rule, a.tenantId, a.agent, a.release ?? null]).sort()).toEqual([
      ['abort-rate', 'initech', 'looper', 'rel_l'],
      ['cost-spike', 'initech', 'spender', null],
      ['loop-detected', 'initech', 'looper', 'rel_l'],
      ['model-latency-p99', 'initech', 'slowpoke', 'rel_s'],
      ['slow-runs', 'initech', 'sleepy', 'rel_z'],
      ['tool-error-rate', 'acme', 'support', 'rel_a'],
    ]);
    expect(new Set(first.map((a) => a.id)).size).toBe(6);
  });

  it('measures the tool error rate of the release over its window', () => {
    expect(byRule(first, 'tool-error-rate')).toEqual([
      {
        id: expect.stringMatching(/^alt_20261121T1200Z_[0-9a-f]{24}$/),
        type: 'alert.fired',
        time: T0,
        rule: 'tool-error-rate',
        kind: 'tool_error_rate',
        tenantId: 'acme',
        agent: 'support',
        release: 'rel_a',
        windowStart: '2026-11-21T11:59:00.000Z',
        windowEnd: T0,
        unit: 'ratio',
        observed: 0.6,
        threshold: 0.2,
        sampleSize: 25,
        summary: 'support (rel_a) on acme: 60% of 25 tool calls failed in 5 min (above 20%)',
      },
    ]);
  });

  it('measures aborts, loops, latency, run duration and spend from the projection', () => {
    expect(byRule(first, 'abort-rate')[0]).toMatchObject({ observed: 0.2, sampleSize: 20 });
    expect(byRule(first, 'loop-detected')[0]).toMatchObject({
      observed: 0.15,
      threshold: 0.05,
      sampleSize: 20,
    });
    expect(byRule(first, 'model-latency-p99')[0]).toMatchObject({
      of: 'model_call',
      unit: 'ms',
      observed: 40_000,
      sampleSize: 20,
    });
    expect(byRule(first, 'slow-runs')[0]).toMatchObject({
      of: 'run',
      observed: 720_000,
      threshold: 60_000,
      sampleSize: 1,
    });
    expect(byRule(first, 'cost-spike')[0]).toMatchObject({
      unit: 'usd',
      observed: 5,
      threshold: 1,
      baselineUsd: 0.25,
      sampleSize: 5,
      windowStart: '2026-11-21T11:49:00.000Z',
    });
  });

  it("records each alert on its tenant's alert subject of _CTL, with its id as Nats-Msg-Id", async () => {
    expect(await ctlCounts()).toEqual({
      [subjects.alerts(ts.prefix, 'acme')]: 1,
      [subjects.alerts(ts.prefix, 'initech')]: 5,
    });
    const [toolAlert] = byRule(first, 'tool-error-rate');
    expect(await lastAlertOf('acme')).toEqual({
      msgId: toolAlert.id,
      type: 'alert.fired',
      record: toolAlert,
    });
    const [row] = await sql(
      `SELECT published_at IS NOT NULL AS published, tenant_id, agent, release FROM trace_alerts WHERE id = $1`,
      [toolAlert.id],
    );
    expect(row).toEqual({ published: true, tenant_id: 'acme', agent: 'support', release: 'rel_a' });
  });

  it('sends every alert to the webhook, signed', async () => {
    await sut.drain();
    expect(receiver.hooks.map((h) => h.body.id).sort()).toEqual(first.map((a) => a.id).sort());
    const [toolAlert] = byRule(first, 'tool-error-rate');
    const hook = receiver.hooks.find((h) => h.body.id === toolAlert.id)!;
    expect(hook.body).toMatchObject({ type: 'alert.fired', tenantId: 'acme', data: toolAlert });
    expect(hook.headers[WEBHOOK_ID_HEADER.toLowerCase()]).toBe(toolAlert.id);
    const signature = hook.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()] as string;
    const nowSec = Math.floor(Date.now() / 1000);
    expect(verifyWebhook(SECRET, hook.raw, signature, { nowSec })).toBe(true);
    expect(verifyWebhook('another-secret', hook.raw, signature, { nowSec })).toBe(false);
    const [row] = await sql(
      `SELECT notified_at IS NOT NULL AS notified, webhook_error FROM trace_alerts WHERE id = $1`,
      [toolAlert.id],
    );
    expect(row).toEqual({ notified: true, webhook_error: null });
  });

  it('counts what it recorded in tether_alerts_fired_total', async () => {
    const samples = await scrapeMetrics(metricsUrl(ts.sut));
    const fired = samples.filter((s) => s.name === 'tether_alerts_fired_total');
    expect(fired.map((s) => [s.labels.rule, s.labels.kind, s.value]).sort()).toEqual([
      ['abort-rate', 'abort_rate', 1],
      ['cost-spike', 'cost_spike', 1],
      ['loop-detected', 'abort_rate', 1],
      ['model-latency-p99', 'latency_p99', 1],
      ['slow-runs', 'latency_p99', 1],
      ['tool-error-rate', 'tool_error_rate', 1],
    ]);
  });

  it('fires nothing more in the same window bucket', async () => {
    clock.set('2026-11-21T12:04:45.000Z');
    expect(await sut.evaluate()).toEqual([]);
    await sut.drain();
    expect(receiver.hooks).toHaveLength(6);
    expect(await ctlCounts()).toEqual({
      [subjects.alerts(ts.prefix, 'acme')]: 1,
      [subjects.alerts(ts.prefix, 'initech')]: 5,
    });
  });

  it('fires again in the next bucket while the problem lasts, each rule by its own window, once across instances', async () => {
    // 12:05:30: the 5-minute rules are in a new bucket, the 15-minute cost rule is not. A second
    // instance evaluates on its timer; this one, asked afterwards, finds everything claimed.
    clock.set('2026-11-21T12:05:30.000Z');
    const other = await startService(
      traceStoreService(loadConfig({ ...env, TETHER_ALERT_INTERVAL_MS: '1000' }), { clock }),
    );
    let again: AlertFired[];
    try {
      again = await eventually(async () => {
        const counts = await ctlCounts();
        if (counts[subjects.alerts(ts.prefix, 'initech')] !== 9) return undefined;
        const jsm = await ts.sut.nc.jetstreamManager();
        const fresh: AlertFired[] = [];
        for (
          let seq = 1;
          seq <= (await jsm.streams.info(streamNames(ts.prefix).ctl)).state.last_seq;
          seq++
        ) {
          const m = await jsm.streams.getMessage(streamNames(ts.prefix).ctl, { seq });
          const alert = JSON.parse(new TextDecoder().decode(m.data)) as AlertFired;
          if (alert.id.startsWith('alt_20261121T1205Z_')) fresh.push(alert);
        }
        return fresh;
      }, 'the second instance evaluating on its timer');
      expect(await sut.evaluate()).toEqual([]);
    } finally {
      await other.close();
    }
    expect(await ctlCounts()).toEqual({
      [subjects.alerts(ts.prefix, 'acme')]: 2,
      [subjects.alerts(ts.prefix, 'initech')]: 9,
    });
    expect(again.map((a) => a.rule).sort()).toEqual([
      'abort-rate',
      'loop-detected',
      'model-latency-p99',
      'slow-runs',
      'tool-error-rate',
    ]);
    expect(byRule(again, 'tool-error-rate')[0]).toMatchObject({
      windowStart: '2026-11-21T12:00:30.000Z',
      observed: 0.6,
    });
    expect(byRule(again, 'tool-error-rate')[0].id).not.toBe(byRule(first, 'tool-error-rate')[0].id);
  });

  it('stays quiet once the failures are older than the window', async () => {
    clock.set('2026-11-21T12:31:00.000Z');
    expect(await sut.evaluate()).toEqual([]);
  });

  describe('a claim left unfinished', () => {
    const stale: AlertFired = {
      id: 'alt_20261121T1230Z_000000000000000000000001',
      type: 'alert.fired',
      time: '2026-11-21T12:30:00.000Z',
      rule: 'tool-error-rate',
      kind: 'tool_error_rate',
      tenantId: REFUSED_TENANT,
      agent: 'support',
      windowStart: '2026-11-21T12:25:00.000Z',
      windowEnd: '2026-11-21T12:30:00.000Z',
      unit: 'ratio',
      observed: 0.5,
      threshold: 0.2,
      sampleSize: 40,
      summary: 'support on hooli: 50% of 40 tool calls failed in 5 min (above 20%)',
    };
    const claim = (a: AlertFired, claimedAt: string) =>
      sql(
        `INSERT INTO trace_alerts (id, rule, kind, tenant_id, agent, window_start, window_end, record, claimed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          a.id,
          a.rule,
          a.kind,
          a.tenantId,
          a.agent,
          a.windowStart,
          a.windowEnd,
          JSON.stringify(a),
          claimedAt,
        ],
      );

    it('is published by a later pass once its lease has run out, and only then', async () => {
      const now = Date.parse('2026-11-21T12:31:00.000Z');
      const young = { ...stale, id: 'alt_20261121T1230Z_000000000000000000000002' };
      // One whose publish failed a lease ago, one another instance is still publishing.
      await claim(stale, new Date(now - CLAIM_LEASE_MS - 1000).toISOString());
      await claim(young, new Date(now - 1000).toISOString());
      expect(await sut.evaluate()).toEqual([stale]);
      expect(await lastAlertOf(REFUSED_TENANT)).toMatchObject({ msgId: stale.id, record: stale });
      expect((await ctlCounts())[subjects.alerts(ts.prefix, REFUSED_TENANT)]).toBe(1);
      const rows = await sql(
        `SELECT id, published_at IS NOT NULL AS published FROM trace_alerts WHERE tenant_id = $1 ORDER BY id`,
        [REFUSED_TENANT],
      );
      expect(rows).toEqual([
        { id: stale.id, published: true },
        { id: young.id, published: false },
      ]);
    });

    it('keeps its _CTL record when the webhook refuses it, and says why', async () => {
      await sut.drain();
      expect(receiver.hooks.filter((h) => h.body.id === stale.id)).toHaveLength(1);
      const [row] = await sql<{ notified: boolean; webhook_error: string }>(
        `SELECT notified_at IS NOT NULL AS notified, webhook_error FROM trace_alerts WHERE id = $1`,
        [stale.id],
      );
      expect(row).toEqual({ notified: true, webhook_error: expect.stringMatching(/answered 400/) });
      expect(await lastAlertOf(REFUSED_TENANT)).toMatchObject({ msgId: stale.id });
      // Given up on, so no later pass sends it again.
      clock.set('2026-11-21T12:40:00.000Z');
      await sut.evaluate();
      await sut.drain();
      expect(receiver.hooks.filter((h) => h.body.id === stale.id)).toHaveLength(1);
    });
  });
});
