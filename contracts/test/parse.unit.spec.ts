import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AgentSpec,
  CommandName,
  EVENT_TYPES,
  MAX_JSON_DEPTH,
  ModelResponded,
  parseAs,
  parseCommand,
  parseEvent,
  SCHEMA_VERSION,
  upcast,
  UPCASTERS,
  type EventType,
  type Upcaster,
} from '../src';

const FIXTURES = join(__dirname, '..', 'fixtures');
const VERSIONS = readdirSync(FIXTURES).filter((d) => /^v\d+$/.test(d));

/** `[v1/events/run.started.json, parsed JSON]` for every file of `kind` in every version folder. */
function fixtures(kind: 'commands' | 'events' | 'invalid'): Array<[string, unknown]> {
  return VERSIONS.flatMap((v) => {
    const dir = join(FIXTURES, v, kind);
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((f) => f.endsWith('.json'));
    } catch {
      return [];
    }
    return names
      .sort()
      .map((f): [string, unknown] => [
        `${v}/${kind}/${f}`,
        JSON.parse(readFileSync(join(dir, f), 'utf8')),
      ]);
  });
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const fixture = (path: string) =>
  JSON.parse(readFileSync(join(FIXTURES, path), 'utf8')) as Record<string, unknown>;
const isCommandName = (s: string): s is CommandName =>
  (Object.values(CommandName) as string[]).includes(s);

interface InvalidFixture {
  kind: 'command' | 'event';
  command?: string;
  note: string;
  field?: string;
  problem?: string;
  message: unknown;
}

describe(parseEvent.name, () => {
  it.each(fixtures('events'))('reads the valid fixture %s', (_path, plain) => {
    const sut = parseEvent(plain);

    expect(sut).toEqual({ ok: true, value: expect.anything() });
    if (!sut.ok) return;
    expect(sut.value.type).toBe((plain as { type: string }).type);
    expect(sut.value.schemaVersion).toBe(SCHEMA_VERSION[sut.value.type]);
    expect(sut.value.data).toEqual((plain as { data: unknown }).data);
  });

  it.each(EVENT_TYPES)('has a fixture of the current schema version of %s', (type) => {
    const current = fixtures('events').find(
      ([path]) => path === `v${SCHEMA_VERSION[type]}/events/${type}.json`,
    );
    expect(current).toBeDefined();
  });

  it('refuses an unknown event type', () => {
    const plain = { ...fixture('v1/events/tool.completed.json'), type: 'tool.exploded' };

    expect(parseEvent(plain)).toEqual({
      ok: false,
      problems: ['unknown event type "tool.exploded"'],
    });
  });

  it('refuses a schemaVersion newer than the one it knows', () => {
    const plain = {
      ...fixture('v1/events/model.responded.json'),
      schemaVersion: SCHEMA_VERSION['model.responded'] + 1,
    };

    expect(parseEvent(plain)).toEqual({
      ok: false,
      problems: [`model.responded schemaVersion 2 is newer than 1`],
    });
  });

  it('refuses data that is not an object, naming data', () => {
    const plain = { ...fixture('v1/events/tool.completed.json'), data: [] };

    expect(parseEvent(plain)).toEqual({ ok: false, problems: ['data must be a JSON object'] });
  });
});

describe(parseCommand.name, () => {
  it.each(fixtures('commands'))('reads the valid fixture %s', (path, plain) => {
    const name = path
      .split('/')
      .pop()!
      .replace(/\.json$/, '');
    if (!isCommandName(name)) throw new Error(`${path}: no command is named ${name}`);

    const sut = parseCommand(name, plain);

    expect(sut).toEqual({ ok: true, value: expect.objectContaining(plain as object) });
  });

  it.each(Object.values(CommandName))('has a fixture of the %s command', (name) => {
    expect(fixtures('commands').map(([path]) => path)).toContain(`v1/commands/${name}.json`);
  });

  it('refuses a body that is not an object', () => {
    expect(parseCommand(CommandName.RunStart, ['run_1'])).toEqual({
      ok: false,
      problems: ['body must be a JSON object'],
    });
  });
});

describe('invalid fixtures', () => {
  it.each(fixtures('invalid'))('refuses %s, naming the problem', (path, raw) => {
    const fx = raw as InvalidFixture;
    let sut;
    if (fx.kind === 'command') {
      if (!fx.command || !isCommandName(fx.command))
        throw new Error(`${path}: "command" must name a command`);
      sut = parseCommand(fx.command, fx.message);
    } else {
      sut = parseEvent(fx.message);
    }

    expect(sut.ok).toBe(false);
    if (sut.ok) return;
    if (fx.field) {
      const field = fx.field;
      expect(sut.problems).toContainEqual(
        expect.stringMatching(new RegExp(`^${field.replace(/\./g, '\\.')}[ :]`)),
      );
    }
    if (fx.problem) expect(sut.problems).toContainEqual(expect.stringContaining(fx.problem));
    if (!fx.field && !fx.problem)
      throw new Error(`${path}: give the expected "field" or "problem"`);
  });
});

describe('unknown properties', () => {
  // Additive changes (a new optional field) ship before every consumer is updated, so an older
  // consumer must accept and keep what it does not know; nothing here whitelists properties.
  it('accepts and keeps unknown fields in the envelope, the data and nested data', () => {
    const plain = clone(fixture('v1/events/model.responded.json')) as {
      data: { usage: Record<string, unknown> } & Record<string, unknown>;
    } & Record<string, unknown>;
    plain.region = 'eu-west';
    plain.data.safetyScore = 0.2;
    plain.data.usage.audioTokens = 12;

    const sut = parseEvent(plain);

    expect(sut.ok).toBe(true);
    if (!sut.ok) return;
    expect(sut.value).toMatchObject({
      region: 'eu-west',
      data: { safetyScore: 0.2, usage: { audioTokens: 12 } },
    });
  });

  it('accepts and keeps unknown fields in a command body', () => {
    const plain = { ...fixture('v1/commands/run.start.json'), priority: 'high' };

    expect(parseCommand(CommandName.RunStart, plain)).toEqual({
      ok: true,
      value: expect.objectContaining({ priority: 'high' }),
    });
  });

  it('still validates the known fields next to them', () => {
    const plain = {
      ...(clone(fixture('v1/events/model.responded.json')).data as object),
      extra: true,
      step: 0,
    };

    expect(parseAs(ModelResponded, plain)).toEqual({
      ok: false,
      problems: ['step must not be less than 1'],
    });
  });
});

describe(upcast.name, () => {
  const renameToolName: Upcaster = ({ toolName, ...rest }) => ({ ...rest, tool: toolName });
  const v1 = {
    callId: 'call_1',
    toolName: 'lookup_order',
    tier: 0,
    args: { orderId: '1042' },
    step: 1,
  };

  it('turns v1 data into v2 with a custom table (a field rename)', () => {
    const table = { 'tool.requested': { 1: renameToolName } };

    const sut = upcast('tool.requested', 1, v1, 2, table);

    expect(sut).toEqual({
      callId: 'call_1',
      tool: 'lookup_order',
      tier: 0,
      args: { orderId: '1042' },
      step: 1,
    });
  });

  it('chains one step per version', () => {
    const table = {
      'tool.requested': {
        1: renameToolName,
        2: (d: Record<string, unknown>) => ({ ...d, source: 'model' }),
      },
    };

    expect(upcast('tool.requested', 1, v1, 3, table)).toEqual(
      expect.objectContaining({ tool: 'lookup_order', source: 'model' }),
    );
  });

  it('throws naming the missing step', () => {
    expect(() =>
      upcast('tool.requested', 1, v1, 3, { 'tool.requested': { 1: renameToolName } }),
    ).toThrow('no upcaster for tool.requested v2 -> v3');
  });

  describe('when parseEvent reads an event older than the current version', () => {
    const type: EventType = 'tool.requested';
    const saved = { version: SCHEMA_VERSION[type], upcasters: UPCASTERS[type] };
    const legacy = () => ({ ...fixture(`v1/events/${type}.json`), data: v1 });

    beforeEach(() => {
      SCHEMA_VERSION[type] = 2;
    });
    afterEach(() => {
      SCHEMA_VERSION[type] = saved.version;
      if (saved.upcasters) UPCASTERS[type] = saved.upcasters;
      else delete UPCASTERS[type];
    });

    it('upcasts it, validates the result and reports the current version', () => {
      UPCASTERS[type] = { 1: renameToolName };

      const sut = parseEvent(legacy());

      expect(sut).toEqual({
        ok: true,
        value: expect.objectContaining({
          schemaVersion: 2,
          data: expect.objectContaining({ tool: 'lookup_order' }),
        }),
      });
    });

    it('refuses it when no upcaster covers the step', () => {
      expect(parseEvent(legacy())).toEqual({
        ok: false,
        problems: ['no upcaster for tool.requested v1 -> v2'],
      });
    });

    it('refuses it when the upcast data is invalid', () => {
      UPCASTERS[type] = { 1: (d) => d };

      expect(parseEvent(legacy())).toEqual({ ok: false, problems: ['data.tool must be a string'] });
    });
  });
});

describe(AgentSpec.name, () => {
  const spec = { name: 'support-agent', instructions: 'Help.', tools: [] };

  it.each([
    ['missing', undefined],
    ['an array', []],
  ])('refuses a model that is %s', (_case, model) => {
    const sut = parseAs(AgentSpec, { ...spec, model });

    expect(sut).toEqual({ ok: false, problems: ['model must be an object'] });
  });

  it('reads a minimal agent', () => {
    expect(
      parseAs(AgentSpec, { ...spec, model: { provider: 'scripted', id: 'scripted-v1' } }).ok,
    ).toBe(true);
  });
});

describe('deep nesting', () => {
  const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  const start = (metadata: string) =>
    parseCommand(
      CommandName.RunStart,
      JSON.parse(
        `{"runId":"run_1","agent":"a","input":"hi","userId":"u","roles":[],"metadata":${metadata}}`,
      ),
    );

  it('accepts a command nested as deep as allowed', () => {
    expect(start(nested(MAX_JSON_DEPTH - 1)).ok).toBe(true);
  });

  it('refuses one level deeper, and thousands of levels, with a problem instead of a crash', () => {
    expect(start(nested(MAX_JSON_DEPTH))).toEqual({
      ok: false,
      problems: [`body is nested deeper than ${MAX_JSON_DEPTH} levels`],
    });
    expect(start(nested(5000)).ok).toBe(false);
    expect(start('['.repeat(5000) + ']'.repeat(5000)).ok).toBe(false);
  });
});
