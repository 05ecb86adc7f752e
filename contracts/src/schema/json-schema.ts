/**
 * JSON Schema (draft-07) and AsyncAPI 2.6 exports of the bus contract for non-TypeScript
 * consumers, generated from the same class-validator classes that validate every message at
 * runtime — never written by hand.
 *
 * Not exported from the package index: it needs `class-validator-jsonschema` (a devDependency)
 * and no service needs it at runtime. `contracts/scripts/export-schemas.mjs` writes the result to
 * `contracts/schemas/`; `contracts/test/schemas.unit.spec.ts` fails when those files are stale.
 */
import 'reflect-metadata';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import {
  getMetadataStorage,
  IS_ISO8601,
  IS_URL,
  ValidationTypes,
  type MetadataStorage,
} from 'class-validator';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { version } from '../../package.json';
import { AgentSpec } from '../agents/agent-spec';
import { COMMANDS } from '../commands';
import { CommandRejected, SwitchFlipped, SwitchSetting } from '../events/control.events';
import { EventEnvelope } from '../events/envelope';
import { AlertFired } from '../traces/alerts';
import { ExecuteTool, TOOL_EXECUTOR } from '../internal/execute-tool.request';
import {
  EVENT_DATA,
  EVENT_TYPES,
  SCHEMA_VERSION,
  TERMINAL_EVENT_TYPES,
  type EventType,
} from '../events/registry';
import {
  ALL_TENANTS,
  assertPrefix,
  bucketNames,
  CommandName,
  DEFAULT_PREFIX,
  Header,
  streamNames,
  subjects,
  TOKEN_PATTERN,
} from '../subjects';
import { RUN_ID_PATTERN } from '../vocabulary';

export type JsonSchema = { [key: string]: unknown };
type Class = abstract new (...args: never[]) => unknown;

export const JSON_SCHEMA_DRAFT = 'http://json-schema.org/draft-07/schema#';
export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
const DEFINITIONS = '#/definitions/';
const COMPONENTS = '#/components/schemas/';
const COMMAND_REJECTED = 'command.rejected';
const SWITCH_FLIPPED = 'switch.flipped';
const ALERT_FIRED = 'alert.fired';

const COMMAND_SUMMARY: Record<CommandName, string> = {
  [CommandName.RunStart]: "Start a run. The message's Nats-Msg-Id is the idempotency key.",
  [CommandName.RunCancel]: 'Cancel a run.',
  [CommandName.ApprovalDecide]:
    'Approve or deny a pending tool call, optionally with edited arguments.',
};

/** Every class a published schema can reach: the roots, their nested types and their base classes. */
function contractClasses(): Set<Class> {
  const storage = getMetadataStorage();
  const found = new Set<Class>();
  const visit = (cls: Class): void => {
    if (found.has(cls)) return;
    found.add(cls);
    const parent: unknown = Object.getPrototypeOf(cls);
    if (typeof parent === 'function' && parent !== Function.prototype) visit(parent as Class);
    for (const meta of storage.getTargetValidationMetadatas(cls, '', true, false)) {
      if (meta.type !== ValidationTypes.NESTED_VALIDATION) continue;
      const nested: unknown =
        defaultMetadataStorage.findTypeMetadata(cls, meta.propertyName)?.typeFunction() ??
        Reflect.getMetadata('design:type', cls.prototype, meta.propertyName);
      if (typeof nested === 'function' && nested !== Object && nested !== Array)
        visit(nested as Class);
    }
  };
  [
    ...Object.values(COMMANDS),
    ...Object.values(EVENT_DATA),
    EventEnvelope,
    CommandRejected,
    SwitchFlipped,
    SwitchSetting,
    AlertFired,
    AgentSpec,
    ExecuteTool,
  ].forEach(visit);
  // Schemas are keyed by class name, so two contract classes must never share one.
  const byName = new Map<string, Class>();
  for (const cls of found) {
    const other = byName.get(cls.name);
    if (other && other !== cls) throw new Error(`two contract classes are named ${cls.name}`);
    byName.set(cls.name, cls);
  }
  return found;
}

/**
 * class-validator's storage is global: it also holds every other class the process loaded (a
 * service's DTO may well be called `StartRun` too). The generator only sees the contract's own.
 */
function contractStorage(classes: Set<Class>): MetadataStorage {
  const storage = getMetadataStorage();
  type Internals = { validationMetadatas: Map<unknown, unknown[]> };
  const all = (storage as unknown as Internals).validationMetadatas;
  const view = Object.create(storage) as Internals;
  view.validationMetadatas = new Map([...all].filter(([target]) => classes.has(target as Class)));
  return view as unknown as MetadataStorage;
}

/** draft-07 ignores keywords beside `$ref` (here: `type: object` from IsObject); drop them. */
function tidy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tidy);
  if (typeof node !== 'object' || node === null) return node;
  const obj = node as JsonSchema;
  if (typeof obj.$ref === 'string') return { $ref: obj.$ref };
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, tidy(v)]));
}

/** One schema per contract class, keyed by class name, with `$ref`s under `refPrefix`. */
function classSchemas(refPrefix: string): Record<string, JsonSchema> {
  const raw = validationMetadatasToSchemas({
    classValidatorMetadataStorage: contractStorage(contractClasses()),
    classTransformerMetadataStorage: defaultMetadataStorage,
    refPointerPrefix: refPrefix,
    additionalConverters: {
      // The library maps IsUrl to format "url", which no JSON Schema draft defines; "uri" does.
      [IS_URL]: { type: 'string', format: 'uri' },
      // The library's `oneOf: [date, date-time]` rejects every value in validators that treat
      // `format` as an annotation (both branches then match); anyOf accepts the same strings.
      [IS_ISO8601]: { type: 'string', anyOf: [{ format: 'date-time' }, { format: 'date' }] },
    },
  });
  const schemas = JSON.parse(JSON.stringify(tidy(raw))) as Record<string, JsonSchema>;
  // `type` is a plain string on the class (it is only ever written by the orchestrator); pin it.
  const rejected = schemas[CommandRejected.name] as { properties: Record<string, unknown> };
  rejected.properties.type = { type: 'string', const: COMMAND_REJECTED };
  return schemas;
}

function refsIn(node: unknown, refPrefix: string, into: Set<string>): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => refsIn(n, refPrefix, into));
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(refPrefix)) {
        into.add(value.slice(refPrefix.length));
      } else refsIn(value, refPrefix, into);
    }
  }
  return into;
}

/** Names of every schema reachable from `roots` through `$ref`, sorted. */
function closure(roots: unknown, all: Record<string, JsonSchema>, refPrefix: string): string[] {
  const names = new Set<string>();
  const queue = [...refsIn(roots, refPrefix, new Set())];
  while (queue.length) {
    const name = queue.pop()!;
    if (names.has(name)) continue;
    if (!all[name]) throw new Error(`schema ${name} is referenced but was not generated`);
    names.add(name);
    queue.push(...refsIn(all[name], refPrefix, new Set()));
  }
  return [...names].sort();
}

/** A standalone draft-07 file: the root schema plus every definition it reaches. */
function document(
  title: string,
  description: string,
  root: JsonSchema,
  all: Record<string, JsonSchema>,
) {
  const names = closure(root, all, DEFINITIONS);
  const doc: JsonSchema = { $schema: JSON_SCHEMA_DRAFT, title, description, ...root };
  if (names.length) doc.definitions = Object.fromEntries(names.map((n) => [n, all[n]]));
  return doc;
}

/** The envelope with `type` and `schemaVersion` pinned and `data` pointing at the type's data class. */
function eventSchema(
  type: EventType,
  all: Record<string, JsonSchema>,
  refPrefix: string,
): JsonSchema {
  const envelope = all[EventEnvelope.name] as { properties: Record<string, unknown> };
  return {
    ...envelope,
    properties: {
      ...envelope.properties,
      type: { type: 'string', const: type },
      schemaVersion: { type: 'integer', const: SCHEMA_VERSION[type] },
      data: { $ref: refPrefix + EVENT_DATA[type].name },
    },
  };
}

/**
 * Self-contained draft-07 schemas keyed by their path under `contracts/schemas/`: each file
 * carries the `definitions` it needs, so it can be used alone.
 */
export function buildJsonSchemas(): Record<string, JsonSchema> {
  const all = classSchemas(DEFINITIONS);
  const files: Record<string, JsonSchema> = {};
  for (const name of Object.values(CommandName)) {
    const cls = COMMANDS[name];
    files[`commands/${name}.schema.json`] = document(
      cls.name,
      `Body of <P>.cmd.<tenant>.${name}. ${COMMAND_SUMMARY[name]}`,
      all[cls.name],
      all,
    );
  }
  for (const type of EVENT_TYPES) {
    files[`events/${type}.schema.json`] = document(
      EVENT_DATA[type].name,
      `Event "${type}" (schemaVersion ${SCHEMA_VERSION[type]}) in its envelope, on <P>.evt.<tenant>.<runId> with header ${Header.Type}: ${type}.`,
      eventSchema(type, all, DEFINITIONS),
      all,
    );
  }
  files[`control/${COMMAND_REJECTED}.schema.json`] = document(
    CommandRejected.name,
    'A command that could not be tied to a run, recorded on <P>.ctl.<tenant>.rejected.',
    all[CommandRejected.name],
    all,
  );
  files[`control/${SWITCH_FLIPPED}.schema.json`] = document(
    SwitchFlipped.name,
    `The audit record of a kill-switch flip, on <P>.ctl.<tenant|${ALL_TENANTS}>.switch.tool.`,
    all[SwitchFlipped.name],
    all,
  );
  files['control/switch.value.schema.json'] = document(
    SwitchSetting.name,
    `The value of a key of the <P>_SWITCHES KV bucket (key tool.<tenant|${ALL_TENANTS}>.<tool>).`,
    all[SwitchSetting.name],
    all,
  );
  files[`control/${ALERT_FIRED}.schema.json`] = document(
    AlertFired.name,
    'An alert rule that fired for an agent of a tenant, recorded on <P>.ctl.<tenant>.alert.',
    all[AlertFired.name],
    all,
  );
  // Internal, not part of the bus contract: compiled by the tool-executor for its hot path.
  files[`internal/${TOOL_EXECUTOR.execute}.schema.json`] = document(
    ExecuteTool.name,
    `Internal request <P>.svc.${TOOL_EXECUTOR.service}.${TOOL_EXECUTOR.execute} (orchestrator to tool-executor).`,
    all[ExecuteTool.name],
    all,
  );
  files['agent.schema.json'] = document(
    AgentSpec.name,
    'An agent definition (agents/*.yaml). Defaults are applied by the loader, not by this schema.',
    all[AgentSpec.name],
    all,
  );
  return files;
}

function headers(properties: Record<string, JsonSchema>, required: string[]): JsonSchema {
  return { type: 'object', ...(required.length ? { required } : {}), properties };
}

const TRACE_HEADER: Record<string, JsonSchema> = {
  [Header.TraceParent]: { type: 'string', description: 'W3C trace context of the publisher.' },
};

const lowerFirst = (s: string) => s[0].toLowerCase() + s.slice(1);

/** A `_CTL` record whose id is its `Nats-Msg-Id`, with its type in `Tether-Type`. */
function controlRecord(type: string, cls: Class, summary: string): JsonSchema {
  return {
    name: type,
    title: cls.name,
    summary,
    contentType: 'application/json',
    headers: headers(
      {
        [Header.Type]: { type: 'string', const: type },
        [Header.MsgId]: {
          type: 'string',
          description: 'Equals the record id: a re-publish is dropped by JetStream.',
        },
      },
      [Header.Type, Header.MsgId],
    ),
    payload: { $ref: COMPONENTS + cls.name },
  };
}

/** An AsyncAPI 2.6 document of the bus for subject prefix `prefix` (TETHER_PREFIX). */
export function buildAsyncApi(prefix = DEFAULT_PREFIX): JsonSchema {
  assertPrefix(prefix);
  const all = classSchemas(COMPONENTS);
  const streams = streamNames(prefix);
  const tenant = '{tenant}';
  const runId = '{runId}';
  const param = (name: string) => ({ $ref: `#/components/parameters/${name}` });
  const message = (name: string) => ({ $ref: `#/components/messages/${name}` });
  const messages: Record<string, JsonSchema> = {};
  const channels: Record<string, JsonSchema> = {};

  for (const name of Object.values(CommandName)) {
    const cls = COMMANDS[name];
    messages[cls.name] = {
      name,
      title: cls.name,
      summary: COMMAND_SUMMARY[name],
      contentType: 'application/json',
      headers: headers(
        {
          [Header.MsgId]: {
            type: 'string',
            description:
              'Idempotency key: JetStream drops a duplicate within the stream duplicate window.',
          },
          ...TRACE_HEADER,
        },
        [],
      ),
      payload: { $ref: COMPONENTS + cls.name },
    };
    channels[subjects.command(prefix, tenant, name)] = {
      description: `${COMMAND_SUMMARY[name]} Stored in stream ${streams.cmd}. A body that fails validation but names a runId gets run.rejected on that run's subject; one that cannot be parsed gets command.rejected.`,
      parameters: { tenant: param('tenant') },
      publish: { operationId: lowerFirst(cls.name), message: message(cls.name) },
      'x-tether-stream': streams.cmd,
    };
  }

  for (const type of EVENT_TYPES) {
    const cls = EVENT_DATA[type];
    messages[cls.name] = {
      name: type,
      title: cls.name,
      summary: `${type}, schemaVersion ${SCHEMA_VERSION[type]}.`,
      contentType: 'application/json',
      headers: headers(
        {
          [Header.Type]: {
            type: 'string',
            const: type,
            description: 'The event type, so consumers can filter without parsing the body.',
          },
          [Header.MsgId]: {
            type: 'string',
            description: 'Equals the envelope id: a re-publish is dropped by JetStream.',
          },
          ...TRACE_HEADER,
        },
        [Header.Type, Header.MsgId],
      ),
      payload: eventSchema(type, all, COMPONENTS),
    };
  }
  channels[subjects.run(prefix, tenant, runId)] = {
    description: `Every event of one run, in order, stored in stream ${streams.evt}. One subject per run: appenders publish with ${Header.ExpectedLastSubjectSeq} for optimistic concurrency. Filter by the ${Header.Type} header. Events with an older schemaVersion may be read back from the log; consumers upcast them.`,
    parameters: { tenant: param('tenant'), runId: param('runId') },
    subscribe: {
      operationId: 'onRunEvent',
      message: { oneOf: EVENT_TYPES.map((t) => message(EVENT_DATA[t].name)) },
    },
    'x-tether-stream': streams.evt,
  };

  channels[subjects.runEnd(prefix, tenant, runId)] = {
    description: `A run's terminal event, the same message as in ${streams.evt}, published once more on core NATS (not stored) as soon as the log has it: for clients that wait for a run's outcome and need none of its other events. A client that may have missed it (it subscribed after the run ended, or was disconnected) reads the end from the run's log.`,
    parameters: { tenant: param('tenant'), runId: param('runId') },
    subscribe: {
      operationId: 'onRunEnd',
      message: { oneOf: TERMINAL_EVENT_TYPES.map((t) => message(EVENT_DATA[t].name)) },
    },
  };

  messages[CommandRejected.name] = {
    name: COMMAND_REJECTED,
    title: CommandRejected.name,
    summary: 'A command that could not be parsed or tied to a run. Nothing is dropped silently.',
    contentType: 'application/json',
    payload: { $ref: COMPONENTS + CommandRejected.name },
  };
  channels[subjects.rejectedCommands(prefix, tenant)] = {
    description: `Commands that could not be parsed at all, stored in stream ${streams.ctl}, with the reason and the original ${Header.MsgId}.`,
    parameters: { tenant: param('tenant') },
    subscribe: { operationId: 'onCommandRejected', message: message(CommandRejected.name) },
    'x-tether-stream': streams.ctl,
  };

  messages[SwitchFlipped.name] = controlRecord(
    SWITCH_FLIPPED,
    SwitchFlipped,
    'The audit record of a kill-switch flip, written before the switch itself so that no flip goes unrecorded.',
  );
  channels[subjects.switchFlips(prefix, '{scope}')] = {
    description: `Every kill-switch flip of one scope (a tenant, or ${ALL_TENANTS} for every tenant), stored in stream ${streams.ctl}. The switches themselves are the KV bucket ${bucketNames(prefix).switches}, keys tool.{scope}.{tool}, values ${SwitchSetting.name}.`,
    parameters: { scope: param('scope') },
    subscribe: { operationId: 'onSwitchFlipped', message: message(SwitchFlipped.name) },
    'x-tether-stream': streams.ctl,
  };

  messages[AlertFired.name] = controlRecord(
    ALERT_FIRED,
    AlertFired,
    "An alert rule (tool error rate, abort rate, cost spike, p99 latency) crossed its threshold for one of a tenant's agents.",
  );
  channels[subjects.alerts(prefix, tenant)] = {
    description: `Alerts about one tenant's agents, stored in stream ${streams.ctl}: at most one per rule, agent, release and window, across trace-store instances.`,
    parameters: { tenant: param('tenant') },
    subscribe: { operationId: 'onAlertFired', message: message(AlertFired.name) },
    'x-tether-stream': streams.ctl,
  };

  const schemaNames = closure(messages, all, COMPONENTS);
  return {
    asyncapi: '2.6.0',
    id: 'urn:tether:bus',
    info: {
      title: 'Tether bus',
      version,
      description: `The public bus contract of Tether for subject prefix "${prefix}" (TETHER_PREFIX). Streams: ${streams.cmd}, ${streams.evt}, ${streams.ctl}. Generated from contracts/src by contracts/scripts/export-schemas.mjs; do not edit.`,
      license: { name: 'Apache-2.0' },
    },
    servers: {
      local: { url: DEFAULT_NATS_URL, protocol: 'nats', description: 'Default TETHER_NATS_URL.' },
    },
    defaultContentType: 'application/json',
    channels,
    components: {
      schemas: Object.fromEntries(schemaNames.map((n) => [n, all[n]])),
      messages,
      parameters: {
        tenant: {
          description: 'Tenant id: a single subject token.',
          schema: { type: 'string', pattern: TOKEN_PATTERN.source },
        },
        scope: {
          description: `A tenant id, or ${ALL_TENANTS} for what holds for every tenant.`,
          schema: { type: 'string', pattern: TOKEN_PATTERN.source },
        },
        runId: {
          description: 'Run id, chosen by the client (`run_` + ULID).',
          schema: { type: 'string', pattern: RUN_ID_PATTERN.source },
        },
      },
    },
  };
}
