import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson, loadAgents, releaseHash } from '../src';

const BLOCK = `
name: hash-agent
model:
  provider: scripted
  id: scripted-v1
  script:
    - text: "hello"
instructions: Be brief.
tools:
  - name: lookup_order
    tier: 0
  - name: issue_refund
    tier: 2
permissions:
  - { role: user, tool: "lookup_*", resource: "*", effect: allow }
  - { role: user, tool: "*", resource: "*", effect: ask }
`;

// Same content: other key order, flow style, other quoting, comments, 1.0 vs 1.
const REORDERED = `# a comment
tools: [{ tier: 0, name: 'lookup_order' }, { tier: 2, name: issue_refund }]
instructions: "Be brief."
permissions:
  - effect: allow
    resource: "*"
    tool: lookup_*
    role: user
  - { effect: ask, resource: "*", tool: "*", role: user }
model: { script: [{ text: hello }], id: scripted-v1, provider: scripted }
name: hash-agent
`;

describe(releaseHash.name, () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tether-hash-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const releaseOf = (yaml: string): string => {
    rmSync(dir, { recursive: true, force: true });
    dir = mkdtempSync(join(tmpdir(), 'tether-hash-'));
    writeFileSync(join(dir, 'agent.yaml'), yaml);
    return loadAgents(dir).get('hash-agent')!.release;
  };

  it('has the form rel_ + 16 hex characters', () => {
    expect(releaseOf(BLOCK)).toMatch(/^rel_[0-9a-f]{16}$/);
  });

  it('is the same for the same content whatever the key order or YAML layout', () => {
    expect(releaseOf(REORDERED)).toBe(releaseOf(BLOCK));
  });

  it('is the same when a default is written out explicitly', () => {
    const explicit = BLOCK + 'limits: { maxSteps: 15, timeoutMs: 90000 }\n';
    expect(releaseOf(explicit)).toBe(releaseOf(BLOCK));
  });

  it.each([
    ['instructions', BLOCK.replace('Be brief.', 'Be brief!')],
    ['a tool tier', BLOCK.replace('tier: 2', 'tier: 1')],
    ['a scripted turn', BLOCK.replace('"hello"', '"hello there"')],
    [
      'the permission order',
      BLOCK.replace(/( {2}- \{ role: user, tool: "lookup_\*".*\n)( {2}- .*\n)/, '$2$1'),
    ],
    ['a limit', BLOCK + 'limits: { maxSteps: 14 }\n'],
    ['a dollar cap', BLOCK + 'limits: { maxCostUsd: 1 }\n'],
    ['an optional field', BLOCK + 'autonomy: 1\n'],
  ])('changes when %s changes', (_what, changed) => {
    expect(changed).not.toBe(BLOCK);
    expect(releaseOf(changed)).not.toBe(releaseOf(BLOCK));
  });
});

describe(canonicalJson.name, () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('leaves out undefined members', () => {
    expect(canonicalJson({ a: undefined, b: null, c: [undefined] })).toBe('{"b":null,"c":[null]}');
  });

  it('treats class instances like the plain objects they hold', () => {
    class Spec {
      constructor(
        readonly y: number,
        readonly x: string,
      ) {}
    }
    expect(canonicalJson(new Spec(1, 'a'))).toBe(canonicalJson({ x: 'a', y: 1 }));
  });

  it('keeps a "__proto__" key as data', () => {
    expect(canonicalJson(JSON.parse('{"__proto__":{"a":1}}'))).toBe('{"__proto__":{"a":1}}');
  });
});
