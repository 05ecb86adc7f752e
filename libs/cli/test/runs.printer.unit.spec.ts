import { newRunView, type RunView } from '@tether/contracts';
import type { LogEntry } from '@tether/sdk';
import {
  aModelResponded,
  aRunStarted,
  aToolRequested,
  anEvent,
  testEventTime,
} from '@tether/testing';
import { runLines, runSummary, traceLines } from '../src/commands/runs.printer';

function aRunView(overrides: Partial<RunView> = {}): RunView {
  return {
    ...newRunView('acme', 'run_01A'),
    agent: 'support-agent',
    release: 'sha256:ab12',
    userId: 'u_1',
    mode: 'live',
    status: 'completed',
    outcome: 'success',
    reason: 'completed',
    message: 'Done.',
    steps: 2,
    toolCalls: 1,
    inputTokens: 1200,
    outputTokens: 34,
    costUsd: 0.0125,
    createdAt: '2026-11-21T09:00:00.000Z',
    startedAt: '2026-11-21T09:00:00.120Z',
    endedAt: '2026-11-21T09:00:01.620Z',
    durationMs: 1500,
    eventCount: 9,
    ...overrides,
  };
}

const running = aRunView({
  runId: 'run_01B',
  userId: 'u_22',
  status: 'waiting_for_approval',
  outcome: null,
  reason: null,
  message: null,
  costUsd: 0,
  endedAt: null,
  durationMs: null,
});

describe('runs printer', () => {
  describe('runLines', () => {
    it('prints one aligned line per run, in the order given, then the next cursor', () => {
      expect(runLines({ items: [running, aRunView()], nextCursor: 'c_2' })).toEqual([
        'run      agent          user  status                outcome              steps  tools  tokens     cost  started (UTC)        duration',
        'run_01B  support-agent  u_22  waiting_for_approval  -                        2      1    1234    $0.00  2026-11-21 09:00:00         -',
        'run_01A  support-agent  u_1   completed             success (completed)      2      1    1234  $0.0125  2026-11-21 09:00:00     1.50s',
        'more: --cursor c_2',
      ]);
    });

    it('says so when no run matches, without a cursor line', () => {
      expect(runLines({ items: [] })).toEqual(['no runs match']);
    });

    it('shows what the projection does not know yet as -', () => {
      const [, line] = runLines({ items: [newRunView('acme', 'run_01C')] });
      expect(line).toMatch(/^run_01C {2}- +- +queued +- +0 +0 +0 +\$0\.00 +- +-$/);
    });
  });

  describe('runSummary', () => {
    it('gives who ran what, where it stands, and what it cost', () => {
      expect(runSummary(aRunView())).toBe(
        'run_01A · support-agent for u_1 · completed · success (completed) in 1.50s · 2 step(s), 1 tool call(s) · 1200+34 tok · $0.0125 · started 2026-11-21 09:00:00',
      );
      expect(runSummary(running)).toMatch(
        /^run_01B · support-agent for u_22 · waiting_for_approval · 2 step/,
      );
    });
  });

  describe('traceLines', () => {
    const entry = (seq: number, event: LogEntry['event']): LogEntry => ({ seq, event });
    const envelope = (i: number) => ({
      runId: 'run_01A',
      tenantId: 'acme',
      time: testEventTime(i),
    });
    const entries = [
      entry(1, anEvent('run.started', aRunStarted(), envelope(1))),
      entry(2, anEvent('model.responded', aModelResponded(1, { costUsd: 0.002 }), envelope(2))),
      entry(3, anEvent('tool.requested', aToolRequested('call_1_0'), envelope(3))),
      entry(
        4,
        anEvent(
          'run.failed',
          { outcome: 'failed', reason: 'tool_failed', message: 'The carrier is down.' },
          envelope(4),
        ),
      ),
    ];

    it('prints the summary, then one line per event with its offset, then the message', () => {
      const failed = aRunView({
        status: 'failed',
        outcome: 'failed',
        reason: 'tool_failed',
        message: 'The carrier is down.',
      });
      const lines = traceLines(failed, entries, false);
      expect(lines[0]).toBe(runSummary(failed));
      expect(lines.slice(1, 5).map((l) => /^ +\+[0-9.]+s {2}(\S+)/.exec(l)?.[1])).toEqual([
        'run.started',
        'model.responded',
        'tool.requested',
        'run.failed',
      ]);
      expect(lines[1]).toMatch(/^ +\+0\.000s {2}run\.started/);
      expect(lines[2]).toMatch(/ · \$0\.0020 · \d+ms$/);
      expect(lines[3]).toMatch(/ · tier \d · /);
      expect(lines[4]).toMatch(/failed · tool_failed: The carrier is down\.$/);
      expect(lines[5]).toBe('The carrier is down.');
      expect(lines).toHaveLength(6);
    });

    it('adds no message after a success, and says when nothing is projected yet', () => {
      expect(traceLines(aRunView(), [], false)).toEqual([
        runSummary(aRunView()),
        'no events projected yet',
      ]);
    });
  });
});
