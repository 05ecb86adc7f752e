import { newRunView } from '@tether/contracts';
import type { LogEntry } from '@tether/sdk';
import {
  aModelResponded,
  aRunStarted,
  aToolRequested,
  anEvent,
  testEventTime,
} from '@tether/testing';
import { runHeader, runLines, traceLines } from '../src/commands/runs.printer';
import { aRunView } from './run-timeline.fixture';

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

  describe('runHeader', () => {
    it('gives who ran what and which release, then where it stands, how long and what it cost', () => {
      expect(runHeader(aRunView())).toEqual([
        'run_01A · support-agent (release sha256:ab12) for u_1 · started 2026-11-21 09:00:00 UTC',
        'completed · success (completed) in 1.50s · 2 step(s), 1 tool call(s) · 1200+34 tok · $0.0125',
      ]);
      expect(runHeader(running)[1]).toBe(
        'waiting_for_approval · 2 step(s), 1 tool call(s) · 1200+34 tok · $0.00',
      );
    });

    it('names a mode other than live', () => {
      expect(runHeader(aRunView({ mode: 'shadow', release: null }))[0]).toBe(
        'run_01A · support-agent for u_1 · shadow · started 2026-11-21 09:00:00 UTC',
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
      const [first, second, ...lines] = traceLines(failed, entries, false);
      expect([first, second]).toEqual(runHeader(failed));
      expect(lines.slice(0, 4).map((l) => /^ +\+[0-9.]+s {2}(\S+)/.exec(l)?.[1])).toEqual([
        'run.started',
        'model.responded',
        'tool.requested',
        'run.failed',
      ]);
      expect(lines[0]).toMatch(/^ +\+0\.000s {2}run\.started/);
      expect(lines[1]).toMatch(/ · \$0\.0020 · \d+ms$/);
      expect(lines[2]).toMatch(/ · tier \d · /);
      expect(lines[3]).toMatch(/failed · tool_failed: The carrier is down\.$/);
      expect(lines[4]).toBe('The carrier is down.');
      expect(lines).toHaveLength(5);
    });

    it('adds no message after a success, and says when nothing is projected yet', () => {
      expect(traceLines(aRunView(), [], false)).toEqual([
        ...runHeader(aRunView()),
        'no events projected yet',
      ]);
    });
  });
});
