import { IsInt } from 'class-validator';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  COMMANDS,
  CommandName,
  DEFAULT_PREFIX,
  EVENT_DATA,
  EVENT_TYPES,
  Header,
  SCHEMA_VERSION,
  subjects,
} from '../src';
import { buildAsyncApi, buildJsonSchemas, type JsonSchema } from '../src/schema/json-schema';

const SCHEMAS = join(__dirname, '..', 'schemas');
const REGENERATE =
  'contracts/schemas/ is out of date with the contract classes: run `npm run schemas -w @tether/contracts` ' +
  '(from the repo root) and commit the result.';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** Compares as JSON values, so formatting and key order on disk don't matter. */
function expectOnDisk(file: string, generated: unknown): void {
  let onDisk: unknown;
  try {
    onDisk = JSON.parse(readFileSync(join(SCHEMAS, file), 'utf8'));
  } catch (err) {
    throw new Error(`${REGENERATE}\n${file}: ${(err as Error).message}`);
  }
  try {
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(generated)));
  } catch (err) {
    throw new Error(`${REGENERATE}\n${file} differs:\n${(err as Error).message}`);
  }
}

/** Resolves a local JSON pointer (`#/a/b`) inside `doc`. */
function resolve(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
}

function refsIn(node: unknown, into: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refsIn(n, into));
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') into.push(value);
      else refsIn(value, into);
    }
  }
  return into;
}

type Doc = JsonSchema & {
  properties: Record<string, JsonSchema>;
  definitions?: Record<string, JsonSchema>;
};

describe('exported schemas', () => {
  const files = buildJsonSchemas();
  const asyncApi = buildAsyncApi() as JsonSchema & {
    channels: Record<string, JsonSchema & { publish?: JsonSchema; subscribe?: JsonSchema }>;
    components: { messages: Record<string, JsonSchema & { headers?: Doc; payload: Doc }> };
  };

  describe('on disk', () => {
    it('holds exactly the generated files, none missing and none left over', () => {
      const expected = [...Object.keys(files), 'asyncapi.json'].sort();
      try {
        expect(filesUnder(SCHEMAS)).toEqual(expected);
      } catch (err) {
        throw new Error(`${REGENERATE}\n${(err as Error).message}`);
      }
    });

    it.each(Object.keys(files))('%s matches the contract classes', (file) => {
      expectOnDisk(file, files[file]);
    });

    it('asyncapi.json matches the contract classes', () => {
      expectOnDisk('asyncapi.json', asyncApi);
    });
  });

  describe('JSON Schema files', () => {
    it.each(Object.keys(files))('%s is self-contained: every $ref resolves inside it', (file) => {
      const unresolved = refsIn(files[file]).filter(
        (ref) => resolve(files[file], ref) === undefined,
      );
      expect(unresolved).toEqual([]);
    });

    it.each(EVENT_TYPES)(
      'has an envelope schema for %s with its type, version and data class',
      (type) => {
        const doc = files[`events/${type}.schema.json`] as Doc;
        expect(doc).toBeDefined();
        expect(doc.properties.type).toEqual({ type: 'string', const: type });
        expect(doc.properties.schemaVersion).toEqual({
          type: 'integer',
          const: SCHEMA_VERSION[type],
        });
        expect(doc.properties.data).toEqual({ $ref: `#/definitions/${EVENT_DATA[type].name}` });
        expect(doc.required).toEqual(
          expect.arrayContaining(['id', 'type', 'schemaVersion', 'runId', 'data']),
        );
      },
    );

    it.each(Object.values(CommandName))('has a schema for the %s command', (name) => {
      const doc = files[`commands/${name}.schema.json`] as Doc;
      expect(doc.title).toBe(COMMANDS[name].name);
      expect(Object.keys(doc.properties).length).toBeGreaterThan(0);
    });

    it('resolves nested classes of the agent spec to definitions', () => {
      const doc = files['agent.schema.json'] as Doc;
      expect(doc.properties.model).toEqual({ $ref: '#/definitions/ModelSpec' });
      expect(doc.properties.tools).toEqual({
        type: 'array',
        items: { $ref: '#/definitions/ToolSpec' },
        maxItems: 256,
      });
      expect(Object.keys(doc.definitions ?? {})).toEqual(
        expect.arrayContaining([
          'ModelSpec',
          'ToolSpec',
          'HttpToolSpec',
          'ScriptedTurn',
          'LimitsSpec',
        ]),
      );
    });

    it('leaves unknown properties allowed, so additive fields never break an older consumer', () => {
      const withClosedObjects = Object.entries(files).filter(([, doc]) =>
        JSON.stringify(doc).includes('"additionalProperties":false'),
      );
      expect(withClosedObjects.map(([file]) => file)).toEqual([]);
    });
  });

  describe('AsyncAPI document', () => {
    const { channels, components } = asyncApi;
    const eventsChannel = channels[subjects.run(DEFAULT_PREFIX, '{tenant}', '{runId}')];

    it('is AsyncAPI 2.6 with the local NATS server', () => {
      expect(asyncApi.asyncapi).toBe('2.6.0');
      expect(asyncApi.servers).toEqual({
        local: expect.objectContaining({ url: 'nats://127.0.0.1:4222', protocol: 'nats' }),
      });
    });

    it('resolves every $ref inside the document', () => {
      const unresolved = refsIn(asyncApi).filter((ref) => resolve(asyncApi, ref) === undefined);
      expect(unresolved).toEqual([]);
    });

    it.each(EVENT_TYPES)(
      'has a message for %s, with its Tether-Type header, on the run channel',
      (type) => {
        const name = EVENT_DATA[type].name;
        const msg = components.messages[name];
        expect(msg.name).toBe(type);
        expect(msg.headers?.properties[Header.Type]).toEqual(
          expect.objectContaining({ const: type }),
        );
        expect(msg.headers?.properties[Header.MsgId]).toBeDefined();
        expect(msg.payload.properties.data).toEqual({ $ref: `#/components/schemas/${name}` });
        expect(
          (eventsChannel.subscribe as { message: { oneOf: unknown[] } }).message.oneOf,
        ).toContainEqual({
          $ref: `#/components/messages/${name}`,
        });
      },
    );

    it.each(Object.values(CommandName))('has a publish channel for the %s command', (name) => {
      const channel = channels[subjects.command(DEFAULT_PREFIX, '{tenant}', name)];
      expect(channel.publish).toEqual(
        expect.objectContaining({
          message: { $ref: `#/components/messages/${COMMANDS[name].name}` },
        }),
      );
    });

    it('has the rejected-commands control channel', () => {
      const channel = channels[subjects.rejectedCommands(DEFAULT_PREFIX, '{tenant}')];
      expect(channel.subscribe).toEqual(
        expect.objectContaining({ message: { $ref: '#/components/messages/CommandRejected' } }),
      );
    });

    it('has the kill-switch audit channel, its message and the switch value schema', () => {
      const channel = channels[subjects.switchFlips(DEFAULT_PREFIX, '{scope}')];
      expect(channel.subscribe).toEqual(
        expect.objectContaining({ message: { $ref: '#/components/messages/SwitchFlipped' } }),
      );
      expect(components.messages.SwitchFlipped.headers?.properties[Header.Type]).toEqual(
        expect.objectContaining({ const: 'switch.flipped' }),
      );
      expect((files['control/switch.value.schema.json'] as Doc).required).toEqual(
        expect.arrayContaining(['enabled', 'by', 'reason', 'at']),
      );
    });

    it('documents the tenant and runId parameters with their patterns', () => {
      const parameters = (
        asyncApi.components as unknown as { parameters: Record<string, { schema: JsonSchema }> }
      ).parameters;
      expect(new RegExp(parameters.tenant.schema.pattern as string).test('acme')).toBe(true);
      expect(new RegExp(parameters.tenant.schema.pattern as string).test('acme.eu')).toBe(false);
      expect(
        new RegExp(parameters.runId.schema.pattern as string).test(
          'run_01JDQ2ZV7N3Y0W4ZB8F5K2M9XA',
        ),
      ).toBe(true);
    });

    it('builds the channels of another prefix and refuses an invalid one', () => {
      const channelsOf = (doc: JsonSchema) => Object.keys(doc.channels as object);
      expect(channelsOf(buildAsyncApi('t-42'))).toContain('t-42.evt.{tenant}.{runId}');
      expect(() => buildAsyncApi('Bad.Prefix')).toThrow(/TETHER_PREFIX/);
    });
  });

  describe('when another loaded class shares a contract class name', () => {
    it('still generates from the contract class only', () => {
      // A service DTO with a clashing name lands in the same global class-validator storage.
      class StartRun {
        @IsInt() runId!: number;
      }
      expect(StartRun.name).toBe('StartRun');
      expect(buildJsonSchemas()).toEqual(files);
    });
  });
});
