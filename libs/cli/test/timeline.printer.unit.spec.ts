import { newRunView, type RunTimeline } from '@tether/contracts';
import { EXCERPT_CHARS } from '../src/event.formatter';
import { runHeader } from '../src/commands/runs.printer';
import { timelineLines } from '../src/commands/timeline.printer';
import { T0, aTimeline, at } from './run-timeline.fixture';

/** The timeline's lines without the header and the blank line after it. */
const bodyOf = (t: RunTimeline) => timelineLines(t, false).slice(3);

describe('timeline printer', () => {
  it('prints the header, each turn with its attempts, calls, approvals and guardrails, then the answer', () => {
    const t = aTimeline();
    expect(timelineLines(t, false)).toEqual([
      'run_01A · support-agent (release sha256:ab12) for u_1 · started 2026-11-21 09:00:00 UTC',
      'completed · success (completed) in 5.20s · 3 step(s), 3 tool call(s) · 360+90 tok · $0.0475',
      '',
      '  +0.005s  guardrail pii.email at input: flag · an email address',
      '  +0.010s  step 1 · gpt-4o-2024-08-06 · 2 attempts, 1 failed · 2 tool call(s) proposed',
      '  +0.010s    model #1 openai/gpt-4o · failed (retryable): HTTP 429 Too Many Requests',
      '  +0.218s    model #2 openai/gpt-4o-2024-08-06 · 812ms · 120+30 tok (20 cached) · $0.0125 · tool_calls',
      '  +1.030s    tool lookup_order · tier 0 · completed · 14ms · guardrail: flag',
      '               args {"orderId":"7"}',
      '               result {"status":"shipped","email":"[redacted:email]"}',
      '  +1.044s      guardrail injection.ignore_previous at tool_result: flag',
      '  +1.032s    tool delete_order · denied',
      '               permission_denied: not allowed',
      '               denied by permissions[1]: * × delete_* × * → deny',
      '  +2.000s  step 2 · gpt-4o-2024-08-06 · 1 tool call(s) proposed',
      '  +2.000s    model #1 openai/gpt-4o-2024-08-06 · 640ms · 120+30 tok (20 cached) · $0.0125 · tool_calls',
      '  +2.640s    tool issue_refund · tier 2 · completed · 33ms · $0.01',
      expect.stringMatching(/^ {15}args \{"orderId":"7","amount":20,"note":"The customer .*…$/),
      '               permission ask by permissions[0]: user × issue_refund × * → ask',
      '               result {"refundId":"rf_1"}',
      '  +2.641s      approval apr_1 · granted by ops_1 at +4.234s: checked the order · asked by u_1 · risk high',
      '  +4.500s  step 3 · gpt-4o-2024-08-06',
      '  +4.500s    model #1 openai/gpt-4o-2024-08-06 · 300ms · 120+30 tok (20 cached) · $0.0125 · stop',
      '             said: Refunded order 7: $20. Anything else?',
      '',
      'answer:',
      'Refunded order 7: $20.\nAnything else?',
    ]);
    expect(timelineLines(t, false)[0]).toBe(runHeader(t.run)[0]);
  });

  it('shortens long arguments, results and errors, but prints the answer whole', () => {
    const t = aTimeline();
    const long = 'x'.repeat(500);
    t.toolCalls[0].result = { blob: long };
    t.modelCalls[0].error = long;
    t.run.output = long;
    const lines = timelineLines(t, false);
    const excerpts = lines.filter((l) => l.includes('xxxx') && l !== long);
    expect(excerpts).toHaveLength(2);
    for (const line of excerpts) {
      expect(line).toMatch(/x…$/);
      expect(line.length).toBeLessThan(EXCERPT_CHARS + 80);
    }
    expect(lines.at(-1)).toBe(long);
  });

  it('counts offsets from the start of the run, past a minute too', () => {
    const t = aTimeline();
    t.steps[2].startedAt = at(61_234);
    t.modelCalls[3].requestedAt = at(61_234);
    expect(bodyOf(t)).toContain(' +1m01.2s  step 3 · gpt-4o-2024-08-06');
    t.run.startedAt = at(-1_000);
    expect(bodyOf(t)[0]).toBe('  +1.005s  guardrail pii.email at input: flag · an email address');
  });

  describe('places each row under the turn it belongs to', () => {
    it("by the call's own step, else the run's call id, else the last turn begun before it", () => {
      const t = aTimeline();
      // A call id the run domain did not make, and no step: placed by its time.
      t.toolCalls[1] = { ...t.toolCalls[1], callId: 'toolu_01', endedAt: at(2_500) };
      const body = bodyOf(t);
      const step2 = body.findIndex((l) => l.includes('step 2 ·'));
      const denied = body.findIndex((l) => l.includes('tool delete_order'));
      expect(denied).toBeGreaterThan(step2);
      expect(denied).toBeLessThan(body.findIndex((l) => l.includes('step 3 ·')));
    });

    it('keeps a guardrail or an approval without a known call in the turn of its time', () => {
      const t = aTimeline();
      t.guardrails.push({
        seq: 30,
        ruleId: 'output.schema',
        stage: 'output',
        action: 'block',
        callId: null,
        detail: null,
        at: at(4_801),
      });
      t.approvals[0].callId = 'call_9_9';
      const body = bodyOf(t);
      const step3 = body.findIndex((l) => l.includes('step 3 ·'));
      expect(body.indexOf('  +4.801s    guardrail output.schema at output: block')).toBeGreaterThan(
        step3,
      );
      const approval = body.findIndex((l) => l.includes('approval apr_1'));
      expect(body[approval]).toMatch(/^ {2}\+2\.641s {4}approval apr_1/);
      expect(approval).toBeLessThan(step3);
    });
  });

  it('shows a failed run: the failed call and why, the pending approval, then the message', () => {
    const t = aTimeline();
    t.run = {
      ...t.run,
      status: 'failed',
      outcome: 'failed',
      reason: 'tool_failed',
      message: 'The carrier is down.',
      output: null,
    };
    t.toolCalls[0] = {
      ...t.toolCalls[0],
      status: 'failed',
      reason: 'upstream_error',
      error: 'HTTP 503 from carrier',
      result: null,
      guardrail: null,
    };
    t.approvals[0] = {
      ...t.approvals[0],
      status: 'pending',
      approverId: null,
      reason: null,
      decidedAt: null,
    };
    const lines = timelineLines(t, false);
    expect(lines[1]).toBe(
      'failed · failed (tool_failed) in 5.20s · 3 step(s), 3 tool call(s) · 360+90 tok · $0.0475',
    );
    expect(lines).toContain('  +1.030s    tool lookup_order · tier 0 · failed · 14ms');
    expect(lines).toContain('               upstream_error: HTTP 503 from carrier');
    expect(lines.find((l) => l.includes('approval apr_1'))).toMatch(
      /approval apr_1 · pending until 2026-11-21 10:00:00 UTC · asked by u_1/,
    );
    expect(lines.slice(-2)).toEqual(['', 'message: The carrier is down.']);
    expect(lines).not.toContain('answer:');
  });

  it('says when nothing is projected yet, and when a run ended before any model turn', () => {
    const queued: RunTimeline = {
      run: { ...newRunView('acme', 'run_01Q'), createdAt: T0 },
      steps: [],
      modelCalls: [],
      toolCalls: [],
      approvals: [],
      guardrails: [],
    };
    expect(timelineLines(queued, false)).toEqual([
      'run_01Q · - for - · started 2026-11-21 09:00:00 UTC',
      'queued · 0 step(s), 0 tool call(s) · 0+0 tok · $0.00',
      '',
      'no steps projected yet',
    ]);
    const rejected: RunTimeline = {
      ...queued,
      run: {
        ...queued.run,
        status: 'rejected',
        outcome: 'failed',
        reason: 'unknown_agent',
        message: 'No agent is called that.',
      },
    };
    expect(timelineLines(rejected, false).slice(3)).toEqual([
      'no model turns',
      '',
      'message: No agent is called that.',
    ]);
  });

  it('colours lines only when asked', () => {
    expect(timelineLines(aTimeline(), false).join('\n')).not.toContain('\u001b[');
    const coloured = timelineLines(aTimeline(), true);
    expect(coloured.find((l) => l.includes('failed (retryable)'))).toContain('\u001b[31m');
    expect(coloured.find((l) => l.includes('step 1'))).toContain('\u001b[1m');
  });
});
