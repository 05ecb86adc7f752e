import { headers as natsHeaders, type JetStreamClient, type KvEntry } from 'nats';
import {
  ALL_TENANTS,
  Header,
  SwitchFlipped,
  SwitchTarget,
  parseAs,
  parseSwitchKey,
  subjects,
  switchKey,
  type SwitchSetting,
} from '@tether/contracts';
import { ValidationError } from '@tether/errors';
import {
  encodeJson,
  encodeSwitch,
  newId,
  openSwitchesBucket,
  readSwitch,
} from '@tether/event-store';
import { SwitchWriteError } from './sdk.errors';

/** Who flips a tool's kill switch, and why; both are recorded in the audit trail. */
export interface FlipOptions {
  /** The tenant the switch holds for; omitted: every tenant (key `tool._all.<tool>`). */
  tenant?: string;
  /** Who flips it: an operator's name or address. */
  by: string;
  /** Why, in words an operator reading the audit trail will understand. */
  reason: string;
}

export interface FlipToolSwitchInput extends FlipOptions {
  tool: string;
  /** false switches the tool off. */
  enabled: boolean;
}

/** A flip as recorded: the `switch.flipped` audit record, the key written and its KV revision. */
export interface ToolSwitchFlip {
  record: SwitchFlipped;
  key: string;
  revision: number;
}

/** One key of the switches bucket, as every tool-executor reads it. */
export interface ToolSwitch {
  key: string;
  tool: string;
  /** undefined: the switch holds for every tenant. */
  tenant?: string;
  enabled: boolean;
  by: string;
  reason: string;
  at: string;
  /** The id of the `switch.flipped` record of this value, when the writer recorded one. */
  flipId?: string;
  revision: number;
  /** Set when the stored value does not match the contract: executors then treat the tool as off. */
  unreadable?: string[];
}

/** The kill switches of a client's prefix: `client.tools`. */
export interface ToolSwitches {
  /** Switches `tool` off, for `options.tenant` or for every tenant. Resolves once recorded and written. */
  disable(tool: string, options: FlipOptions): Promise<ToolSwitchFlip>;
  /** Switches `tool` back on in that scope (a switch of the other scope still holds). */
  enable(tool: string, options: FlipOptions): Promise<ToolSwitchFlip>;
  /** Every switch of the bucket, or those that apply to `tenant` (its own and the all-tenants ones). */
  switches(options?: { tenant?: string }): Promise<ToolSwitch[]>;
}

/**
 * Flips a tool's kill switch: validates the input, appends the `switch.flipped` audit record to
 * `_CTL`, then writes the key of the switches bucket, which every tool-executor watches.
 */
export async function flipToolSwitch(
  js: JetStreamClient,
  prefix: string,
  input: FlipToolSwitchInput,
  now: Date = new Date(),
): Promise<ToolSwitchFlip> {
  const record: SwitchFlipped = {
    id: newId('swf'),
    type: 'switch.flipped',
    time: now.toISOString(),
    ...(input.tenant === undefined
      ? { scope: 'all' as const }
      : { scope: 'tenant' as const, tenantId: input.tenant }),
    target: SwitchTarget.Tool,
    name: input.tool,
    enabled: input.enabled,
    by: typeof input.by === 'string' ? input.by.trim() : input.by,
    reason: typeof input.reason === 'string' ? input.reason.trim() : input.reason,
  };
  const parsed = parseAs(SwitchFlipped, record);
  if (!parsed.ok) {
    throw new ValidationError(`invalid switch flip of ${String(input.tool)}`, parsed.problems);
  }
  const scope = record.tenantId ?? ALL_TENANTS;
  const key = switchKey(scope, record.name);

  // 1. The audit record first. Written the other way round, a crash (or a lost connection)
  //    between the two writes would leave a switch in effect that nobody can account for. In
  //    this order the worst case is a record of a flip whose switch was not written: the error
  //    says so, every value carries its record's id (`flipId`), and a retry writes both again.
  const h = natsHeaders();
  h.set(Header.Type, record.type);
  await js.publish(subjects.switchFlips(prefix, scope), encodeJson(record), {
    msgID: record.id,
    headers: h,
  });

  // 2. The switch itself.
  const value: SwitchSetting = {
    enabled: record.enabled,
    by: record.by,
    reason: record.reason,
    at: record.time,
    flipId: record.id,
  };
  try {
    const kv = await openSwitchesBucket(js, prefix);
    const revision = await kv.put(key, encodeSwitch(value));
    return { record, key, revision };
  } catch (err) {
    throw new SwitchWriteError(
      `the flip of ${key} was recorded (${record.id}) but the switch was not written: ${(err as Error).message}; flip it again`,
      record.id,
      { cause: err },
    );
  }
}

/** The switches of the prefix's bucket, sorted by key; with `tenant`, those that apply to it. */
export async function listToolSwitches(
  js: JetStreamClient,
  prefix: string,
  options: { tenant?: string } = {},
): Promise<ToolSwitch[]> {
  const kv = await openSwitchesBucket(js, prefix);
  const keys: string[] = [];
  // 2.9 servers take one filter only: read every tool key and filter here.
  for await (const key of await kv.keys(switchKey('*', '>'))) keys.push(key);
  const found: ToolSwitch[] = [];
  for (const key of keys.sort()) {
    const parsed = parseSwitchKey(key);
    if (!parsed) continue;
    if (options.tenant !== undefined && ![options.tenant, ALL_TENANTS].includes(parsed.scope))
      continue;
    const entry = await kv.get(key);
    if (!entry || entry.operation !== 'PUT') continue;
    found.push(toolSwitch(key, parsed, entry));
  }
  return found;
}

function toolSwitch(
  key: string,
  parsed: { scope: string; name: string },
  entry: KvEntry,
): ToolSwitch {
  const { setting, unreadable } = readSwitch(entry);
  return {
    key,
    tool: parsed.name,
    ...(parsed.scope !== ALL_TENANTS && { tenant: parsed.scope }),
    enabled: setting.enabled,
    by: setting.by,
    reason: setting.reason,
    at: setting.at,
    ...(setting.flipId !== undefined && { flipId: setting.flipId }),
    revision: entry.revision,
    ...(unreadable && { unreadable }),
  };
}
