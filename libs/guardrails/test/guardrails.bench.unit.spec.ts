import { BENCH_INPUT, BENCH_OUTPUT, benchGuardrails } from '../src/guardrails.bench';
import { checkInput, checkOutput, compileGuardrails } from '../src';

describe('benchGuardrails', () => {
  it('checks 8 KB of realistic input and output that pass', () => {
    const g = compileGuardrails(undefined);
    expect(BENCH_INPUT.length).toBe(8192);
    expect(BENCH_OUTPUT.length).toBe(8192);
    expect(checkInput(g, BENCH_INPUT)).toEqual({ verdict: 'pass', triggers: [] });
    const out = checkOutput(g, BENCH_OUTPUT);
    expect(out.verdict).toBe('pass');
    expect(out.triggers.map((t) => t.ruleId)).toEqual(['redact.email', 'redact.phone']);
  });

  it('reports the percentiles of the runs it made (speed itself is measured by npm run bench)', () => {
    const { p50Ms, p99Ms, iterations } = benchGuardrails(50);
    expect(iterations).toBe(50);
    expect(p50Ms).toBeGreaterThan(0);
    expect(p99Ms).toBeGreaterThanOrEqual(p50Ms);
  });
});
