import { GuardrailsSpec, parseAs } from '@tether/contracts';
import { isErrorNamed } from '@tether/errors';
import { parse } from 'yaml';
import {
  INJECTION_RULES,
  INJECTION_RULESET_VERSION,
  TOOL_ARG_RULES,
  compileGuardrails,
} from '../src';

/** The problems of the ValidationError `compile` throws. */
function problemsOf(spec: unknown): string[] {
  try {
    compileGuardrails(spec as GuardrailsSpec);
  } catch (err) {
    expect(isErrorNamed(err, 'ValidationError')).toBe(true);
    expect((err as { code?: string }).code).toBe('validation_failed');
    return (err as { problems: string[] }).problems;
  }
  throw new Error('expected a ValidationError');
}

const EXAMPLE_YAML = `
guardrails:
  input:
    maxChars: 8000
    format: "^[\\\\s\\\\S]*$"
    injection: { action: block }
    scope: { topics: [order, refund, shipping, delivery], refusal: "I can only help with orders." }
    escalateOn: ["lawyer", "legal action"]
  output:
    redact: true
    maxChars: 4000
    schema: { type: object, required: [answer], properties: { answer: { type: string } } }
  toolArgs:
    blocked: [ { id: no-drop, pattern: "(?i)drop\\\\s+table", tools: ["run_sql"] } ]
    builtin: true
  toolResults:
    injection: { action: flag }
  minConfidence: 0.5
`;

describe('compileGuardrails', () => {
  describe('without a guardrails section', () => {
    const sut = compileGuardrails(undefined);

    it('blocks injections on input with the whole rule set', () => {
      expect(sut.input.injection?.action).toBe('block');
      expect(sut.input.injection?.rules).toEqual(INJECTION_RULES);
    });

    it('flags injections in tool results', () => {
      expect(sut.toolResults.injection?.action).toBe('flag');
      expect(sut.toolResults.injection?.rules).toEqual(INJECTION_RULES);
    });

    it('redacts output, blocks built-in tool-argument patterns, and nothing else', () => {
      expect(sut.output).toEqual({ redact: true, maxChars: undefined, schema: undefined });
      expect(sut.toolArgs).toEqual({ builtin: TOOL_ARG_RULES, blocked: [] });
      expect(sut.input.maxChars).toBeUndefined();
      expect(sut.input.format).toBeUndefined();
      expect(sut.input.scope).toBeUndefined();
      expect(sut.input.escalateOn).toEqual([]);
      expect(sut.minConfidence).toBeUndefined();
      expect(sut.rulesetVersion).toBe(INJECTION_RULESET_VERSION);
    });

    it('is the same for an empty section', () => {
      expect(compileGuardrails({})).toEqual(sut);
    });

    it('is immutable', () => {
      expect(Object.isFrozen(sut)).toBe(true);
      expect(Object.isFrozen(sut.input)).toBe(true);
      expect(Object.isFrozen(sut.toolArgs.builtin)).toBe(true);
    });
  });

  describe('the documented example', () => {
    const plain = (parse(EXAMPLE_YAML) as { guardrails: unknown }).guardrails;

    it('is a valid GuardrailsSpec', () => {
      expect(parseAs(GuardrailsSpec, plain)).toMatchObject({ ok: true });
    });

    it('compiles', () => {
      const sut = compileGuardrails(plain as GuardrailsSpec);
      expect(sut.input.maxChars).toBe(8000);
      expect(sut.input.scope?.refusal).toBe('I can only help with orders.');
      expect(sut.toolArgs.blocked.map((b) => [b.id, b.pattern.flags])).toEqual([['no-drop', 'i']]);
      expect(sut.output.schema).toEqual(expect.any(Function));
      expect(sut.minConfidence).toBe(0.5);
    });
  });

  describe('refuses bad configuration, naming the field', () => {
    it('a regex that does not compile', () => {
      expect(problemsOf({ input: { format: '([a-z' } })).toEqual([
        expect.stringMatching(
          /^guardrails\.input\.format is not a valid regular expression \(.+\)$/,
        ),
      ]);
      expect(problemsOf({ toolArgs: { blocked: [{ id: 'x', pattern: '(?i)[z-a]' }] } })).toEqual([
        expect.stringMatching(
          /^guardrails\.toolArgs\.blocked\[0\]\.pattern is not a valid regular expression/,
        ),
      ]);
    });

    it('a blocked pattern that matches everything', () => {
      expect(problemsOf({ toolArgs: { blocked: [{ id: 'x', pattern: '.*' }] } })).toEqual([
        'guardrails.toolArgs.blocked[0].pattern matches the empty string, so it would block every call',
      ]);
    });

    it('blocked pattern ids that repeat or shadow a built-in rule', () => {
      expect(
        problemsOf({
          toolArgs: {
            blocked: [
              { id: 'sql.drop', pattern: 'a' },
              { id: 'mine', pattern: 'b' },
              { id: 'mine', pattern: 'c' },
            ],
          },
        }),
      ).toEqual([
        'guardrails.toolArgs.blocked[0].id "sql.drop" is the id of a built-in rule',
        'guardrails.toolArgs.blocked[2].id "mine" is used twice',
      ]);
    });

    it('a JSON schema ajv refuses', () => {
      expect(problemsOf({ output: { schema: { type: 'objekt' } } })).toEqual([
        expect.stringMatching(/^guardrails\.output\.schema is not a valid JSON schema \(.+\)$/),
      ]);
      expect(problemsOf({ output: { schema: { type: 'object', requried: ['a'] } } })).toEqual([
        expect.stringContaining('unknown keyword: "requried"'),
      ]);
    });

    it('accepts format as an annotation', () => {
      const sut = compileGuardrails({
        output: { schema: { type: 'string', format: 'email' } },
      });
      expect(sut.output.schema?.('not an email')).toBe(true);
    });

    it('unknown rule ids in except', () => {
      const problems = problemsOf({
        input: { injection: { except: ['inj.nope'] } },
        toolArgs: { except: ['sql.nope'] },
        toolResults: { injection: { except: ['inj.encoded', 'inj.typo'] } },
      });
      expect(problems).toEqual([
        expect.stringMatching(
          /^guardrails\.input\.injection\.except: no built-in rule "inj\.nope" \(rules: inj\.ignore-instructions, /,
        ),
        expect.stringMatching(/^guardrails\.toolArgs\.except: no built-in rule "sql\.nope"/),
        expect.stringMatching(
          /^guardrails\.toolResults\.injection\.except: no built-in rule "inj\.typo"/,
        ),
      ]);
    });

    it('topics or phrases with nothing to match', () => {
      expect(
        problemsOf({ input: { scope: { topics: ['order', '??'] }, escalateOn: ['--'] } }),
      ).toEqual([
        'guardrails.input.scope.topics[1] has no letters or digits',
        'guardrails.input.escalateOn[0] has no letters or digits',
      ]);
    });

    it('values outside the contract', () => {
      const problems = problemsOf({
        input: { maxChars: 0, injection: { action: 'nuke' } },
        output: { redact: 'yes' },
        minConfidence: 2,
      });
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^guardrails\.input\.maxChars/),
          expect.stringMatching(/^guardrails\.input\.injection\.action/),
          expect.stringMatching(/^guardrails\.output\.redact/),
          expect.stringMatching(/^guardrails\.minConfidence/),
        ]),
      );
    });

    it('says what is wrong in the message too', () => {
      expect(() => compileGuardrails({ input: { format: '(' } })).toThrow(
        /^invalid guardrails: guardrails\.input\.format is not a valid regular expression/,
      );
    });
  });
});
