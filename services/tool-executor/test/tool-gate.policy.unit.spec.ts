import type { ToolSpec } from '@tether/contracts';
import { gateToolCall, safeToRepeat, type GateInput } from '../src/domain/tool-gate.policy';

const spec = (tier: 0 | 1 | 2, extra: Partial<ToolSpec> = {}): ToolSpec => ({
  name: 't',
  tier,
  ...extra,
});
const ALLOW = { effect: 'allow' as const, rule: 'permissions[0]: * × * × * → allow' };
const ASK = { effect: 'ask' as const, rule: 'permissions[1]: user × * × * → ask' };

const input = (overrides: Partial<GateInput> = {}): GateInput => ({
  tool: 't',
  declared: spec(0),
  implemented: true,
  mode: 'live',
  argProblems: [],
  capProblems: [],
  blockedBy: [],
  permission: ALLOW,
  approved: false,
  ...overrides,
});

describe(gateToolCall.name, () => {
  it('runs an allowed, valid, declared and served call for real', () => {
    expect(gateToolCall(input())).toEqual({ verdict: 'run', dryRun: false });
  });

  it('denies a tool the agent does not declare (default deny)', () => {
    expect(gateToolCall(input({ declared: undefined }))).toMatchObject({
      verdict: 'deny',
      reason: 'unknown_tool',
    });
  });

  it('denies a call whose arguments match a blocked-action guardrail, naming the rules', () => {
    expect(gateToolCall(input({ blockedBy: ['sql.drop', 'sql.truncate'] }))).toEqual({
      verdict: 'deny',
      reason: 'guardrail_blocked',
      message: 't was blocked: its arguments contain an action this agent may never take',
      rule: 'sql.drop,sql.truncate',
    });
  });

  it('reports invalid arguments before a blocked action, and a blocked action before caps', () => {
    expect(
      gateToolCall(input({ argProblems: ['x is required'], blockedBy: ['sql.drop'] })),
    ).toMatchObject({ reason: 'invalid_arguments' });
    expect(
      gateToolCall(input({ blockedBy: ['sql.drop'], capProblems: ['amount over 100'] })),
    ).toMatchObject({ reason: 'guardrail_blocked' });
  });

  it('denies a declared tool that no source serves', () => {
    expect(gateToolCall(input({ implemented: false }))).toMatchObject({
      verdict: 'deny',
      reason: 'unknown_tool',
      message: 'no tool source serves t',
    });
  });

  it('denies a switched-off tool, naming who switched it and why', () => {
    expect(
      gateToolCall(input({ switchedOff: { by: 'ops@acme', reason: 'carrier outage' } })),
    ).toEqual({
      verdict: 'deny',
      reason: 'kill_switch',
      message: expect.stringContaining('carrier outage'),
      rule: 'kill switch set by ops@acme',
    });
  });

  it('a kill switch wins over an approval', () => {
    const gate = gateToolCall(
      input({ declared: spec(2), approved: true, switchedOff: { by: 'op', reason: 'r' } }),
    );
    expect(gate).toMatchObject({ reason: 'kill_switch' });
  });

  it('denies invalid arguments with the problems', () => {
    expect(gateToolCall(input({ argProblems: ['orderId is required'] }))).toMatchObject({
      reason: 'invalid_arguments',
      message: 'invalid arguments for t: orderId is required',
    });
  });

  it('denies arguments over a cap, even with an approval', () => {
    expect(
      gateToolCall(
        input({ declared: spec(2), approved: true, capProblems: ['amount is 900, above 500'] }),
      ),
    ).toMatchObject({ reason: 'cap_exceeded' });
  });

  it('denies what the matrix denies, with the rule', () => {
    expect(gateToolCall(input({ permission: { effect: 'deny', rule: 'default deny' } }))).toEqual({
      verdict: 'deny',
      reason: 'permission_denied',
      message: 't is not allowed for this user',
      rule: 'default deny',
    });
  });

  it('denies an ask without an approval and runs it with one', () => {
    expect(gateToolCall(input({ declared: spec(1), permission: ASK }))).toMatchObject({
      reason: 'approval_required',
      rule: ASK.rule,
    });
    expect(gateToolCall(input({ declared: spec(1), permission: ASK, approved: true }))).toEqual({
      verdict: 'run',
      dryRun: false,
    });
  });

  it('never runs a draft-only call (autonomy 3), approved or not', () => {
    for (const approved of [false, true]) {
      expect(
        gateToolCall(input({ declared: spec(2), permission: { ...ASK, draft: true }, approved })),
      ).toMatchObject({ verdict: 'deny', reason: 'draft_only' });
    }
  });

  it('never runs a tier 2 tool without an approval, whatever the matrix or the mode', () => {
    for (const mode of ['live', 'shadow', 'dry-run'] as const) {
      expect(gateToolCall(input({ declared: spec(2), mode }))).toMatchObject({
        verdict: 'deny',
        reason: 'approval_required',
      });
    }
  });

  it('runs an approved irreversible tool for real only in live mode', () => {
    expect(gateToolCall(input({ declared: spec(2), approved: true }))).toEqual({
      verdict: 'run',
      dryRun: false,
    });
    expect(gateToolCall(input({ declared: spec(2), approved: true, mode: 'shadow' }))).toEqual({
      verdict: 'run',
      dryRun: true,
    });
  });

  it('dry-runs writes in shadow and dry-run modes, but really reads', () => {
    expect(gateToolCall(input({ declared: spec(1), mode: 'shadow' }))).toEqual({
      verdict: 'run',
      dryRun: true,
    });
    expect(gateToolCall(input({ declared: spec(1), mode: 'dry-run' }))).toEqual({
      verdict: 'run',
      dryRun: true,
    });
    expect(gateToolCall(input({ declared: spec(0), mode: 'dry-run' }))).toEqual({
      verdict: 'run',
      dryRun: false,
    });
  });
});

describe(safeToRepeat.name, () => {
  it.each<[string, ToolSpec | undefined, boolean]>([
    ['a read-only tool', spec(0), true],
    ['an idempotent write', spec(1, { idempotent: true }), true],
    ['a write not declared idempotent', spec(1), false],
    ['an irreversible tool declared not idempotent', spec(2, { idempotent: false }), false],
    ['an unknown tool', undefined, false],
  ])('%s → %s', (_what, tool, expected) => {
    expect(safeToRepeat(tool)).toBe(expected);
  });
});
