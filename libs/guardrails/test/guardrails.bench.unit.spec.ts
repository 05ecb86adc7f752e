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

  it('takes well under 10 ms per turn at p99', () => {
    // A short run under jest (no JIT warm-up worth the name, other suites in parallel): enough to
    // catch a pattern that backtracks or a per-character allocation, not a benchmark.
    const { p50Ms, p99Ms, iterations } = benchGuardrails(200);
    expect(iterations).toBe(200);
    expect(p50Ms).toBeGreaterThan(0);
    expect(p99Ms).toBeLessThan(10);
  });
});
