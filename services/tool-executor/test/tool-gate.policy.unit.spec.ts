import { gateToolCall } from '../src/domain/tool-gate.policy';

const spec = (tier: 0 | 1 | 2) => ({ name: 't', tier });

describe(gateToolCall.name, () => {
  it('denies a tool the agent does not declare (default deny)', () => {
    expect(
      gateToolCall({
        tool: 't',
        declared: undefined,
        implemented: true,
        mode: 'live',
        approved: false,
      }),
    ).toMatchObject({ verdict: 'deny', reason: 'unknown_tool' });
  });

  it('denies a declared tool that no source serves', () => {
    expect(
      gateToolCall({
        tool: 't',
        declared: spec(0),
        implemented: false,
        mode: 'live',
        approved: false,
      }),
    ).toMatchObject({ verdict: 'deny', reason: 'unknown_tool' });
  });

  it('denies an irreversible tool without an approval, whatever the mode', () => {
    for (const mode of ['live', 'shadow', 'dry-run'] as const) {
      expect(
        gateToolCall({ tool: 't', declared: spec(2), implemented: true, mode, approved: false }),
      ).toMatchObject({ verdict: 'deny', reason: 'approval_required' });
    }
  });

  it('runs an approved irreversible tool for real only in live mode', () => {
    expect(
      gateToolCall({
        tool: 't',
        declared: spec(2),
        implemented: true,
        mode: 'live',
        approved: true,
      }),
    ).toEqual({ verdict: 'run', dryRun: false });
    expect(
      gateToolCall({
        tool: 't',
        declared: spec(2),
        implemented: true,
        mode: 'shadow',
        approved: true,
      }),
    ).toEqual({ verdict: 'run', dryRun: true });
  });

  it('dry-runs writes in shadow and dry-run modes but reads for real', () => {
    expect(
      gateToolCall({
        tool: 't',
        declared: spec(1),
        implemented: true,
        mode: 'shadow',
        approved: false,
      }),
    ).toEqual({ verdict: 'run', dryRun: true });
    expect(
      gateToolCall({
        tool: 't',
        declared: spec(1),
        implemented: true,
        mode: 'dry-run',
        approved: false,
      }),
    ).toEqual({ verdict: 'run', dryRun: true });
    expect(
      gateToolCall({
        tool: 't',
        declared: spec(0),
        implemented: true,
        mode: 'dry-run',
        approved: false,
      }),
    ).toEqual({ verdict: 'run', dryRun: false });
    expect(
      gateToolCall({
        tool: 't',
        declared: spec(1),
        implemented: true,
        mode: 'live',
        approved: false,
      }),
    ).toEqual({ verdict: 'run', dryRun: false });
  });

  it('denies arguments that break the tool schema, before anything else is considered', () => {
    expect(
      gateToolCall({
        tool: 't',
        declared: spec(0),
        implemented: true,
        mode: 'live',
        approved: false,
        argProblems: ['orderId must be string'],
      }),
    ).toEqual({
      verdict: 'deny',
      reason: 'invalid_arguments',
      message: 'invalid arguments for t: orderId must be string',
    });
  });
});
