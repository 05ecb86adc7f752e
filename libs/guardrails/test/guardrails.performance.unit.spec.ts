import { checkInput, checkToolArgs, checkToolResult, compileGuardrails } from '../src';

// Inputs built to make a careless pattern backtrack: long runs of what the rules repeat (words
// between a verb and its object, separators of spelled-out words, base64, markup openers) and
// prefixes of each rule without the rest. Each must finish; the bound is loose so a busy CI
// machine does not fail it (the target is a few milliseconds).
const N = 100_000;
const adversarial: Record<string, string> = {
  letters: 'a'.repeat(N),
  'single letters': 'a '.repeat(N / 2),
  'dotted letters': 'a.'.repeat(N / 2),
  'leet digits': 'a1'.repeat(N / 2),
  'verbs without objects': 'ignore all the previous '.repeat(N / 24),
  'qualifiers without a verb': 'previous prior above '.repeat(N / 21),
  'you are now, again': 'you are now a '.repeat(N / 14),
  'act as without restrictions': 'act as a a a '.repeat(N / 13),
  'exfiltration verbs': 'show me the full '.repeat(N / 17),
  'mode words': 'god mode mode '.repeat(N / 14),
  'dan words': 'you are dan '.repeat(N / 12),
  base64: 'QUJD'.repeat(N / 4),
  'base64 words': 'QUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJD '.repeat(N / 41),
  hex: 'ab'.repeat(N / 2),
  percent: '%41'.repeat(N / 3),
  'HTML comment openers': '<!--'.repeat(N / 4),
  'an HTML comment without end': '<!-- ai ' + 'x'.repeat(N),
  'styled elements': '<span style="display:none">'.repeat(N / 27),
  'markup openers': '<|'.repeat(N / 2),
  'line starts': '\nsystem: '.repeat(N / 9),
  'zero-width runs': 'a\u200b'.repeat(N / 2),
  'tag characters': '\u{E0041}'.repeat(N / 2),
  'markdown images': '![a](http://x/'.repeat(N / 14),
};

const args: Record<string, string> = {
  'DELETE FROM without end': 'delete from t '.repeat(N / 14),
  'UPDATE SET without end': 'update t set a = '.repeat(N / 17),
  'rm flags': 'rm -r -f -x '.repeat(N / 12),
  'rm targets': 'rm -rf a b c d e '.repeat(N / 17),
  'chained commands': '; rm ; curl ; sh '.repeat(N / 17),
  backticks: '`rm '.repeat(N / 4),
};

describe('guardrails performance', () => {
  const sut = compileGuardrails(undefined);
  const cases: [string, () => unknown][] = [
    ...Object.entries(adversarial).map(([name, text]): [string, () => unknown] => [
      `${name} as input and tool result`,
      () => [checkInput(sut, text), checkToolResult(sut, text)],
    ]),
    ...Object.entries(args).map(([name, text]): [string, () => unknown] => [
      `${name} as tool arguments`,
      () => checkToolArgs(sut, 'delete_all', { q: text }),
    ]),
  ];

  it.each(cases)('checks 100 KB of %s', (_name, check) => {
    const started = performance.now();
    check();
    // Linear scans take milliseconds; a backtracking pattern would take minutes. The bound is loose
    // so a loaded CI machine never fails it.
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
