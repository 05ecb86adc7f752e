import {
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type KV,
  type KvEntry,
} from 'nats';
import { SwitchSetting, bucketNames, parseAs, parseJson, type Parsed } from '@tether/contracts';
import { encodeJson } from './event.codec';

/** Values kept per key: the current one and a few before it, for `nats kv history`. */
export const SWITCH_HISTORY = 5;

/**
 * Creates the prefix's switches bucket (`<P>_SWITCHES`, file storage) when it is missing.
 * Idempotent; an existing bucket is left as it is.
 */
export async function provisionSwitchesBucket(
  jsm: JetStreamManager,
  prefix: string,
  replicas: number,
): Promise<string> {
  const bucket = bucketNames(prefix).switches;
  try {
    await jsm.jetstream().views.kv(bucket, {
      history: SWITCH_HISTORY,
      storage: StorageType.File,
      replicas,
    });
  } catch (err) {
    // Another instance created it between nats.js's info and add: that is the desired outcome.
    if (!/already in use/i.test((err as Error).message)) throw err;
  }
  return bucket;
}

/** Binds to the prefix's switches bucket; fails (stream not found) when the services never provisioned it. */
export function openSwitchesBucket(js: JetStreamClient, prefix: string): Promise<KV> {
  return js.views.kv(bucketNames(prefix).switches, { bindOnly: true });
}

export function encodeSwitch(value: SwitchSetting): Uint8Array {
  return encodeJson(value);
}

/** Parses a value read from the bucket: the edge where it enters a process. */
export function decodeSwitch(bytes: Uint8Array): Parsed<SwitchSetting> {
  const json = parseJson(bytes);
  return json.ok ? parseAs(SwitchSetting, json.value) : json;
}

/**
 * What a stored value means. One that does not match the contract counts as switched off: it was
 * written to switch something, and a kill switch that fails open would run what an operator
 * meant to stop.
 */
export function readSwitch(entry: Pick<KvEntry, 'value' | 'created'>): {
  setting: SwitchSetting;
  unreadable?: string[];
} {
  const parsed = decodeSwitch(entry.value);
  if (parsed.ok) return { setting: parsed.value };
  return {
    setting: {
      enabled: false,
      by: 'unknown',
      reason: `unreadable switch value (${parsed.problems.join('; ')})`,
      at: entry.created.toISOString(),
    },
    unreadable: parsed.problems,
  };
}
