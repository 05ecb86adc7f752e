import { guardrailsOf } from '@tether/guardrails';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { isErrorNamed, type ValidationError } from '@tether/errors';
import { DEFAULT_LIMITS, loadAgents, resolveAgentsDir } from '../src';

const AGENTS_DIR = join(__dirname, '..', '..', '..', 'agents');

/** A valid agent as a plain object; tests break one thing at a time. */
function anAgent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'test-agent',
    model: { provider: 'scripted', id: 'scripted-v1', script: [{ text: 'ok' }] },
    instructions: 'Be helpful.',
    tools: [{ name: 'lookup_order', tier: 0 }],
    ...overrides,
  };
}

describe(loadAgents.name, () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tether-agents-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (file: string, content: Record<string, unknown> | string): string => {
    writeFileSync(join(dir, file), typeof content === 'string' ? content : stringify(content));
    return join(dir, file);
  };

  /** Loads `dir`, expecting a ValidationError; returns its problems. */
  const problemsOf = (): string[] => {
    let caught: unknown;
    try {
      loadAgents(dir);
    } catch (err) {
      caught = err;
    }
    expect(isErrorNamed(caught, 'ValidationError')).toBe(true);
    const err = caught as ValidationError;
    expect(err.code).toBe('validation_failed');
    for (const p of err.problems) expect(err.message).toContain(p);
    return err.problems;
  };

  describe('with the repository agents/ directory', () => {
    const sut = loadAgents(AGENTS_DIR);

    it('loads every demo agent, sorted by name', () => {
      expect(sut.list().map((a) => a.name)).toEqual([
        'bench-agent',
        'outage-agent',
        'refund-agent',
        'support-agent',
      ]);
    });

    it('gives each a release hash', () => {
      for (const agent of sut.list()) expect(agent.release).toMatch(/^rel_[0-9a-f]{16}$/);
    });

    it('loads support-agent as DESIGN.md declares it', () => {
      const agent = sut.get('support-agent')!;
      expect(agent.spec.model).toMatchObject({ provider: 'scripted', id: 'scripted-v1' });
      expect(agent.spec.tools.map((t) => [t.name, t.tier, t.rateLimit])).toEqual([
        ['lookup_order', 0, undefined],
        ['search_policy', 0, undefined],
        ['draft_refund_note', 1, '10/min'],
        ['issue_refund', 2, undefined],
      ]);
      expect(agent.spec.model.script?.[0].toolCalls).toEqual([
        { name: 'lookup_order', args: { orderId: '1042' } },
      ]);
      expect(agent.spec.model.script?.[1].text).toContain('Order 1042 shipped on 3 Nov');
      expect(agent.limits).toEqual({ ...DEFAULT_LIMITS, maxToolCalls: 20, maxCostUsd: 1 });
      expect(agent.spec.permissions?.at(-1)).toMatchObject({
        role: 'user',
        tool: '*',
        effect: 'ask',
      });
    });

    it('loads bench-agent with four noop turns and an answer', () => {
      const script = sut.get('bench-agent')!.spec.model.script!;
      expect(script.map((t) => t.toolCalls?.[0]?.args ?? t.text)).toEqual([
        { i: 1 },
        { i: 2 },
        { i: 3 },
        { i: 4 },
        expect.any(String),
      ]);
      expect(sut.get('bench-agent')!.limits.maxSteps).toBe(15);
    });

    it('loads outage-agent tracking a parcel with the carrier', () => {
      const script = sut.get('outage-agent')!.spec.model.script!;
      expect(script[0].toolCalls).toEqual([{ name: 'track_parcel', args: { orderId: '1042' } }]);
      expect(script).toHaveLength(2);
    });

    it('returns undefined for an unknown agent', () => {
      expect(sut.get('nobody')).toBeUndefined();
      expect(sut.get('__proto__')).toBeUndefined();
    });

    it('freezes releases so their hash keeps matching their content', () => {
      const agent = sut.get('support-agent')!;
      expect(Object.isFrozen(agent)).toBe(true);
      expect(Object.isFrozen(agent.spec.tools[0])).toBe(true);
      expect(Object.isFrozen(agent.limits)).toBe(true);
    });
  });

  describe('defaults', () => {
    it('applies every default limit and sets no dollar cap', () => {
      write('a.yaml', anAgent());
      const agent = loadAgents(dir).get('test-agent')!;
      expect(agent.limits).toEqual({
        maxSteps: 15,
        maxToolCalls: 25,
        maxTokens: 200000,
        timeoutMs: 90000,
        asyncTimeoutMs: 1800000,
        maxInputChars: 20000,
      });
      expect('maxCostUsd' in agent.limits).toBe(false);
      expect(agent.spec.limits).toEqual(agent.limits);
    });

    it('keeps the limits an agent sets and fills in the rest', () => {
      write('a.yaml', anAgent({ limits: { maxSteps: 3, maxCostUsd: 0.5 } }));
      expect(loadAgents(dir).get('test-agent')!.limits).toEqual({
        ...DEFAULT_LIMITS,
        maxSteps: 3,
        maxCostUsd: 0.5,
      });
    });
  });

  describe('files', () => {
    it('reads .yml as well as .yaml, and ignores other files and subdirectories', () => {
      write('one.yml', anAgent({ name: 'one' }));
      write('two.YAML', anAgent({ name: 'two' }));
      write('notes.txt', 'not an agent');
      write('broken.yaml.bak', 'name: [');
      mkdirSync(join(dir, 'nested.yaml'));
      mkdirSync(join(dir, 'sub'));
      writeFileSync(join(dir, 'sub', 'three.yaml'), stringify(anAgent({ name: 'three' })));
      expect(
        loadAgents(dir)
          .list()
          .map((a) => a.name),
      ).toEqual(['one', 'two']);
    });

    it('returns an empty registry for a directory without agents', () => {
      expect(loadAgents(dir).list()).toEqual([]);
    });

    it('refuses a directory that does not exist', () => {
      expect(() => loadAgents(join(dir, 'missing'))).toThrow(
        expect.objectContaining({
          name: 'NotFoundError',
          message: expect.stringContaining('missing'),
        }),
      );
    });
  });

  describe('when a file breaks a rule', () => {
    it('names the file and the path of a contract violation', () => {
      const file = write(
        'bad.yaml',
        anAgent({ model: { provider: 'gemini', id: 'x', script: [{}] } }),
      );
      expect(problemsOf()).toEqual([
        expect.stringMatching(`^${file}: model.provider must be one of .*openai`),
      ]);
    });

    it('names a missing required field', () => {
      const file = write('bad.yaml', { name: 'test-agent', instructions: 'x', tools: [] });
      expect(problemsOf()).toContainEqual(expect.stringMatching(`^${file}: model`));
    });

    it('refuses the same agent name in two files, naming both', () => {
      const first = write('a.yaml', anAgent());
      const second = write('b.yaml', anAgent());
      expect(problemsOf()).toEqual([`${second}: name "test-agent" is already used by ${first}`]);
    });

    it('refuses two tools with the same name in one agent', () => {
      const file = write(
        'a.yaml',
        anAgent({
          tools: [
            { name: 'lookup_order', tier: 0 },
            { name: 'x', tier: 0 },
            { name: 'lookup_order', tier: 1 },
          ],
        }),
      );
      expect(problemsOf()).toEqual([
        `${file}: tools.2.name "lookup_order" is a duplicate of tools.0.name`,
      ]);
    });

    describe('tool sources', () => {
      const mcpServers = [{ name: 'files', command: 'node', args: ['server.js'] }];

      it('gives an MCP tool without a tier tier 2, and keeps a mapped tier', () => {
        write(
          'a.yaml',
          anAgent({
            mcpServers,
            tools: [
              { name: 'read_file', mcp: 'files', tier: 0 },
              { name: 'delete_file', mcp: 'files' },
            ],
          }),
        );
        const tools = loadAgents(dir).get('test-agent')!.spec.tools;
        expect(tools.map((t) => [t.name, t.tier])).toEqual([
          ['read_file', 0],
          ['delete_file', 2],
        ]);
      });

      it('still requires a tier on a tool that is not from MCP', () => {
        write('a.yaml', anAgent({ tools: [{ name: 'lookup_order' }] }));
        expect(problemsOf().join('\n')).toContain('tools.0.tier');
      });

      it('refuses an MCP tool naming an undeclared server', () => {
        const file = write('a.yaml', anAgent({ tools: [{ name: 'x', mcp: 'nope' }] }));
        expect(problemsOf()).toEqual([`${file}: tools.0.mcp "nope" is not one of mcpServers`]);
      });

      it('refuses a tool with two sources', () => {
        const file = write(
          'a.yaml',
          anAgent({
            tools: [
              { name: 'x', tier: 1, http: { url: 'http://a.test/x' }, nats: { subject: 'svc.x' } },
            ],
          }),
        );
        expect(problemsOf()).toEqual([
          `${file}: tools.0 has more than one source (http, nats); keep one`,
        ]);
      });

      it.each([
        [{ name: 'files' }, 'needs exactly one of command (stdio) or url (HTTP)'],
        [
          { name: 'files', command: 'node', url: 'http://127.0.0.1:1/mcp' },
          'needs exactly one of command (stdio) or url (HTTP)',
        ],
        [
          { name: 'files', url: 'http://127.0.0.1:1/mcp', args: ['x'] },
          '.args and env apply only to a stdio server (command)',
        ],
      ])('refuses a malformed MCP server %j', (server, problem) => {
        const file = write('a.yaml', anAgent({ mcpServers: [server] }));
        expect(problemsOf()).toEqual([
          `${file}: mcpServers.0${problem.startsWith('.') ? '' : ' '}${problem}`,
        ]);
      });

      it('refuses a header that holds a secret instead of naming one', () => {
        const file = write(
          'a.yaml',
          anAgent({
            tools: [
              {
                name: 'charge',
                tier: 2,
                http: { url: 'http://a.test/charge', headers: { Authorization: 'Bearer sk-123' } },
              },
            ],
          }),
        );
        expect(problemsOf()).toEqual([
          `${file}: tools.0.http.headers.Authorization must name a secret (letters, digits and _), e.g. CARRIER_API_KEY`,
        ]);
      });

      it('refuses a cap that is not a number', () => {
        const file = write(
          'a.yaml',
          anAgent({ tools: [{ name: 'refund', tier: 2, caps: { amount: 'lots' } }] }),
        );
        expect(problemsOf()).toEqual([
          `${file}: tools.0.caps.amount must be a number (the highest value allowed)`,
        ]);
      });

      it('refuses a NATS subject with a wildcard', () => {
        write('a.yaml', anAgent({ tools: [{ name: 'x', tier: 0, nats: { subject: 'svc.*' } }] }));
        expect(problemsOf().join('\n')).toContain('subject must be dot-separated tokens');
      });
    });

    it.each([
      ['no script', { provider: 'scripted', id: 'scripted-v1' }],
      ['an empty script', { provider: 'scripted', id: 'scripted-v1', script: [] }],
    ])('refuses a scripted model with %s', (_what, model) => {
      const file = write('a.yaml', anAgent({ model }));
      expect(problemsOf()).toEqual([
        `${file}: model.script must be a non-empty list of turns for provider scripted`,
      ]);
    });

    it('refuses a script on a provider that is not scripted', () => {
      const file = write(
        'a.yaml',
        anAgent({ model: { provider: 'openai', id: 'gpt-5-2025-08-07', script: [{ text: 'x' }] } }),
      );
      expect(problemsOf()).toEqual([`${file}: model.script is only allowed for provider scripted`]);
    });

    it('refuses an openai-compatible model without a baseUrl', () => {
      const file = write(
        'a.yaml',
        anAgent({ model: { provider: 'openai-compatible', id: 'llama3.1' } }),
      );
      expect(problemsOf()).toEqual([
        `${file}: model.baseUrl is required for provider openai-compatible`,
      ]);
    });

    it('refuses a YAML syntax error, with its line and column', () => {
      const file = write('a.yaml', 'name: test-agent\ninstructions: x\ntools: [1, 2\nmodel: {}\n');
      const problems = problemsOf();
      expect(problems[0]).toMatch(
        new RegExp(`^${file}: YAML syntax error: .* at line 4, column 1$`),
      );
    });

    it('refuses a duplicate key as a YAML error', () => {
      const file = write('a.yaml', stringify(anAgent()) + 'name: other\n');
      expect(problemsOf()).toEqual([
        expect.stringMatching(
          `^${file}: YAML syntax error: Map keys must be unique at line \\d+, column 1$`,
        ),
      ]);
    });

    it('refuses more than one agent in a file', () => {
      const file = write(
        'a.yaml',
        `${stringify(anAgent())}---\n${stringify(anAgent({ name: 'b' }))}`,
      );
      expect(problemsOf()).toEqual([
        `${file}: holds more than one YAML document; put one agent in each file`,
      ]);
    });

    it.each([
      ['an empty file', '', 'is empty; expected an agent definition'],
      ['a list', '- name: test-agent\n', 'must be a YAML mapping'],
      ['a scalar', 'hello\n', 'must be a YAML mapping'],
    ])('refuses %s', (_what, text, message) => {
      const file = write('a.yaml', text);
      expect(problemsOf()).toEqual([expect.stringContaining(`${file}: ${message}`)]);
    });

    it('refuses a floating openai alias', () => {
      const file = write('a.yaml', anAgent({ model: { provider: 'openai', id: 'gpt-4o' } }));
      expect(problemsOf()).toEqual([
        `${file}: model.id "gpt-4o" is a floating alias for provider openai: pin a dated snapshot (e.g. gpt-5-2025-08-07) or set allowAlias: true`,
      ]);
    });

    it('refuses a floating anthropic alias among the fallbacks', () => {
      const file = write(
        'a.yaml',
        anAgent({
          model: { provider: 'openai', id: 'gpt-5-2025-08-07' },
          fallbacks: [{ provider: 'anthropic', id: 'claude-sonnet-4' }],
        }),
      );
      expect(problemsOf()).toEqual([
        expect.stringMatching(`^${file}: fallbacks.0.id "claude-sonnet-4" is a floating alias`),
      ]);
    });

    it('accepts a floating alias with allowAlias: true', () => {
      write('a.yaml', anAgent({ model: { provider: 'openai', id: 'gpt-4o', allowAlias: true } }));
      expect(loadAgents(dir).get('test-agent')!.spec.model.id).toBe('gpt-4o');
    });

    it('accepts any id for openai-compatible', () => {
      write(
        'a.yaml',
        anAgent({
          model: {
            provider: 'openai-compatible',
            id: 'llama3.1',
            baseUrl: 'http://127.0.0.1:11434/v1',
          },
        }),
      );
      expect(loadAgents(dir).get('test-agent')!.spec.model.id).toBe('llama3.1');
    });

    it('refuses a field the format does not know, at any depth', () => {
      const file = write(
        'a.yaml',
        anAgent({ limts: { maxSteps: 3 }, tools: [{ name: 'lookup_order', tier: 0, teir: 1 }] }),
      );
      expect(problemsOf()).toEqual([
        `${file}: limts is not a known field`,
        `${file}: tools.0.teir is not a known field`,
      ]);
    });

    it('does not look inside free-form maps', () => {
      write(
        'a.yaml',
        anAgent({
          model: {
            provider: 'scripted',
            id: 's',
            script: [{ toolCalls: [{ name: 'x', args: { anything: 1 } }] }],
          },
          tools: [{ name: 'x', tier: 0, input: { type: 'object', whatever: true } }],
          guardrails: { output: { schema: { type: 'object', properties: { a: {} } } } },
        }),
      );
      expect(loadAgents(dir).get('test-agent')).toBeDefined();
    });

    it('names a misspelt guardrails field', () => {
      const file = write('a.yaml', anAgent({ guardrails: { input: { maxChar: 10 } } }));
      expect(problemsOf()).toEqual([`${file}: guardrails.input.maxChar is not a known field`]);
    });

    it('refuses guardrails that do not compile: a bad regex, an unknown rule to skip', () => {
      const file = write(
        'a.yaml',
        anAgent({
          guardrails: {
            input: { format: '([a-z' },
            toolArgs: { except: ['sql.nope'] },
          },
        }),
      );
      const problems = problemsOf();
      expect(problems).toHaveLength(2);
      expect(problems[0]).toMatch(new RegExp(`^${file}: guardrails\\.input\\.format`));
      expect(problems[1]).toContain('guardrails.toolArgs.except: no built-in rule "sql.nope"');
    });

    it('compiles the guardrails of an agent once, at load, for all its runs', () => {
      write('a.yaml', anAgent({ guardrails: { input: { maxChars: 10 } } }));
      const release = loadAgents(dir).get('test-agent')!;
      expect(guardrailsOf(release.spec)).toBe(guardrailsOf(release.spec));
      expect(guardrailsOf(release.spec).input.maxChars).toBe(10);
    });
  });

  describe('when several files are broken', () => {
    it('reports every problem of every file at once', () => {
      const a = write(
        'a.yaml',
        anAgent({ name: 'a', model: { provider: 'openai', id: 'gpt-5' }, autonomy: 9 }),
      );
      write('b.yaml', anAgent({ name: 'b' }));
      const c = write('c.yaml', 'name: [\n');
      const problems = problemsOf();
      expect(problems).toHaveLength(2 + 1);
      expect(problems.filter((p) => p.startsWith(`${a}: `))).toHaveLength(2);
      expect(problems.filter((p) => p.startsWith(`${c}: YAML syntax error`))).toHaveLength(1);
    });
  });
});

describe(resolveAgentsDir.name, () => {
  it('uses TETHER_AGENTS_DIR when given', () => {
    expect(resolveAgentsDir('/srv/agents', '/app')).toBe('/srv/agents');
  });

  it('resolves a relative TETHER_AGENTS_DIR against cwd', () => {
    expect(resolveAgentsDir('conf/agents', '/app')).toBe('/app/conf/agents');
  });

  it.each([undefined, '', '   '])('falls back to <cwd>/agents for %j', (value) => {
    expect(resolveAgentsDir(value, '/app')).toBe('/app/agents');
  });

  it('defaults cwd to the process working directory', () => {
    expect(resolveAgentsDir()).toBe(join(process.cwd(), 'agents'));
  });
});
