import { REDACTED, SENSITIVE_FIXTURES } from '@tether/redaction';
import { MAX_DETAIL, checkOutput, compileGuardrails, confidenceTrigger } from '../src';
import { aTrigger } from './guardrails.fixtures';

const defaults = compileGuardrails(undefined);

describe('checkOutput', () => {
  describe('redaction (default on)', () => {
    it('covers every kind @tether/redaction knows', () => {
      const kinds = new Set(SENSITIVE_FIXTURES.map((f) => f.kind));
      expect([...kinds].sort()).toEqual(Object.keys(REDACTED).sort());
    });

    describe.each(SENSITIVE_FIXTURES.map((f) => [f.kind, f.sample, f]))(
      'a %s sample %j',
      (kind, _sample, f) => {
        const part = f.sensitivePart ?? f.sample;
        const text = `Here you go: ${f.sample} — anything else?`;

        it('is replaced and recorded as a redact trigger without the value', () => {
          const r = checkOutput(defaults, text);
          expect(r.verdict).toBe('pass');
          expect(r.text).not.toContain(part);
          expect(r.text).toContain(REDACTED[f.kind]);
          expect(r.triggers).toContainEqual(
            aTrigger(`redact.${kind}`, 'output', 'redact', `${kind} at output`),
          );
          for (const t of r.triggers) {
            expect(t.detail).not.toContain(part);
            expect(t.detail.length).toBeLessThanOrEqual(MAX_DETAIL);
          }
        });
      },
    );

    it('leaves ordinary answers alone', () => {
      const text = 'Order 1042 shipped on 2024-05-01 with DHL, tracking 1Z999AA10123456784.';
      expect(checkOutput(defaults, text)).toEqual({ text, verdict: 'pass', triggers: [] });
    });

    it('reports each kind once however often it occurs', () => {
      const r = checkOutput(defaults, 'a@example.com, b@example.com, c@example.com');
      expect(r.triggers.map((t) => t.ruleId)).toEqual(['redact.email']);
    });

    it('does not count markers the model echoed from a redacted tool result', () => {
      const text = `The customer's email is ${REDACTED.email}.`;
      expect(checkOutput(defaults, text)).toEqual({ text, verdict: 'pass', triggers: [] });
    });

    it('can be switched off', () => {
      const sut = compileGuardrails({ output: { redact: false } });
      const text = 'Mail jane.doe@example.com';
      expect(checkOutput(sut, text)).toEqual({ text, verdict: 'pass', triggers: [] });
    });
  });

  describe('maxChars', () => {
    const sut = compileGuardrails({ output: { maxChars: 20 } });

    it('keeps an answer of exactly the maximum', () => {
      const text = 'x'.repeat(20);
      expect(checkOutput(sut, text)).toEqual({ text, verdict: 'pass', triggers: [] });
    });

    it('cuts a longer one to the maximum, marking the cut', () => {
      const r = checkOutput(sut, 'The quick brown fox jumps over the lazy dog');
      expect(r.text).toBe('The quick brown fox…');
      expect(r.text.length).toBe(20);
      expect(r.verdict).toBe('pass');
      expect(r.triggers).toEqual([
        aTrigger('output.max-chars', 'output', 'redact', 'output of 43 chars cut to 20'),
      ]);
    });

    it('never splits a surrogate pair', () => {
      const r = checkOutput(sut, 'x'.repeat(18) + '😀😀😀');
      expect(r.text).toBe('x'.repeat(18) + '…');
    });

    it('measures the redacted text', () => {
      const r = checkOutput(compileGuardrails({ output: { maxChars: 200 } }), 'jane@example.com');
      expect(r.text).toBe(REDACTED.email);
    });
  });

  describe('schema', () => {
    const schema = {
      type: 'object',
      required: ['answer', 'confidence'],
      properties: {
        answer: { type: 'string' },
        confidence: { type: 'number', minimum: 0, maximum: 1 },
        contact: { type: 'object' },
      },
      additionalProperties: false,
    };
    const sut = compileGuardrails({ output: { schema, maxChars: 200 } });

    it('passes a JSON answer that satisfies it, unchanged', () => {
      const text = '{ "answer": "Shipped", "confidence": 0.9 }';
      expect(checkOutput(sut, text)).toEqual({ text, verdict: 'pass', triggers: [] });
    });

    it('blocks an answer that is not JSON, without quoting it', () => {
      const r = checkOutput(sut, 'Sure! Your password is hunter2');
      expect(r.verdict).toBe('block');
      expect(r.triggers).toEqual([
        aTrigger('output.schema', 'output', 'block', 'output is not valid JSON'),
      ]);
    });

    it('blocks JSON that breaks the schema, naming where but not the value', () => {
      const r = checkOutput(sut, '{ "answer": "Shipped", "confidence": 7 }');
      expect(r.verdict).toBe('block');
      expect(r.triggers).toEqual([
        aTrigger(
          'output.schema',
          'output',
          'block',
          'output does not match the schema at /confidence: must be <= 1',
        ),
      ]);
    });

    it('hides keys the model invented in the path', () => {
      const loose = compileGuardrails({
        output: { schema: { type: 'object', additionalProperties: { type: 'string' } } },
      });
      const r = checkOutput(loose, '{ "jane@example.com": 5 }');
      expect(r.triggers.at(-1)?.detail).toBe(
        'output does not match the schema at /?: must be string',
      );
    });

    it('redacts values as JSON, so the answer still parses', () => {
      const text = JSON.stringify({
        answer: 'Write to jane.doe@example.com',
        confidence: 0.8,
        contact: { password: 'hunter2', card: 4111111111111111 },
      });
      const r = checkOutput(sut, text);
      expect(r.verdict).toBe('pass');
      expect(JSON.parse(r.text)).toEqual({
        answer: `Write to ${REDACTED.email}`,
        confidence: 0.8,
        contact: { password: REDACTED.secret, card: REDACTED.card },
      });
      expect(r.triggers.map((t) => t.ruleId).sort()).toEqual(
        ['redact.card', 'redact.email', 'redact.secret'].sort(),
      );
    });

    it('blocks a structured answer over maxChars instead of cutting it', () => {
      const text = JSON.stringify({ answer: 'x'.repeat(300), confidence: 1 });
      const r = checkOutput(sut, text);
      expect(r.verdict).toBe('block');
      expect(r.triggers).toEqual([
        aTrigger(
          'output.max-chars',
          'output',
          'block',
          `structured output of ${text.length} chars is over 200`,
        ),
      ]);
    });

    it('still redacts the text of a blocked answer', () => {
      const r = checkOutput(sut, 'Call me on +44 20 7946 0958');
      expect(r.verdict).toBe('block');
      expect(r.text).toBe(`Call me on ${REDACTED.phone}`);
      expect(r.triggers.map((t) => t.ruleId)).toEqual(['redact.phone', 'output.schema']);
    });
  });
});

describe('confidenceTrigger', () => {
  const sut = compileGuardrails({ minConfidence: 0.5 });

  it('escalates a declared confidence below the minimum', () => {
    expect(confidenceTrigger(sut, 0.32)).toEqual(
      aTrigger(
        'output.low-confidence',
        'output',
        'escalate',
        'declared confidence 0.32 is below 0.5',
      ),
    );
  });

  it('passes the minimum itself and above', () => {
    expect(confidenceTrigger(sut, 0.5)).toBeUndefined();
    expect(confidenceTrigger(sut, 0.99)).toBeUndefined();
  });

  it('has nothing to say without a declared confidence or a finite one', () => {
    expect(confidenceTrigger(sut)).toBeUndefined();
    expect(confidenceTrigger(sut, Number.NaN)).toBeUndefined();
  });

  it('is off without minConfidence', () => {
    expect(confidenceTrigger(defaults, 0)).toBeUndefined();
  });
});
