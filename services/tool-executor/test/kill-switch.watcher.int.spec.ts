import { Test } from '@nestjs/testing';
import type { JetStreamClient, NatsConnection } from 'nats';
import {
  SwitchFlipped,
  bucketNames,
  kvStreamName,
  parseAs,
  parseJson,
  streamNames,
  subjects,
  switchKey,
} from '@tether/contracts';
import {
  decodeSwitch,
  deleteStreams,
  openSwitchesBucket,
  provisionStreams,
} from '@tether/event-store';
import { flipToolSwitch, type FlipToolSwitchInput, type SwitchWriteError } from '@tether/sdk';
import {
  LOGGER,
  NATS_CONNECTION,
  SERVICE_CONFIG,
  createLogger,
  type BaseConfig,
} from '@tether/service-kit';
import { connectTestNats, eventually, uniquePrefix } from '@tether/testing';
import { KILL_SWITCHES, type KillSwitches } from '../src/application/ports';
import { KvKillSwitches, killSwitchProviders } from '../src/adapters/nats/kill-switch.watcher';

/** "A flip takes effect everywhere within a second" (DESIGN.md). */
const PROPAGATION_BOUND_MS = 1_000;

describe(KvKillSwitches.name, () => {
  const prefix = uniquePrefix('killsw');
  const config = { prefix } as BaseConfig;
  const logger = createLogger('tool-executor', 'silent');
  let nc: NatsConnection;
  let js: JetStreamClient;
  const started: KvKillSwitches[] = [];

  async function startWatcher(): Promise<KvKillSwitches> {
    const watcher = new KvKillSwitches(nc, config, logger);
    started.push(watcher);
    await watcher.onModuleInit();
    return watcher;
  }

  const flip = (input: Omit<FlipToolSwitchInput, 'by' | 'reason'> & Partial<FlipToolSwitchInput>) =>
    flipToolSwitch(js, prefix, { by: 'ops@example.com', reason: 'test', ...input });

  /** Flips, then waits until `sut` shows the new state; answers how long that took. */
  async function propagation(
    sut: KillSwitches,
    input: Parameters<typeof flip>[0],
    seen: () => boolean,
  ): Promise<number> {
    const t0 = performance.now();
    await flip(input);
    await eventually(() => (seen() ? true : undefined), 'the flip to reach the watcher', 5_000);
    return performance.now() - t0;
  }

  beforeAll(async () => {
    nc = await connectTestNats('kill-switch-test');
    js = nc.jetstream();
    await provisionStreams(await nc.jetstreamManager(), prefix);
  });
  afterAll(async () => {
    for (const w of started) await w.onModuleDestroy();
    await deleteStreams(await nc.jetstreamManager(), prefix);
    await nc.close();
  });

  describe('on an empty bucket', () => {
    it('finishes init at once, with every tool on', async () => {
      const sut = await startWatcher();
      expect(sut.disabled('acme', 'issue_refund')).toBeUndefined();
    });
  });

  describe('without a switches bucket', () => {
    it('fails init, naming the bucket, so the service does not start blind', async () => {
      const sut = new KvKillSwitches(
        nc,
        { prefix: uniquePrefix('nobucket') } as BaseConfig,
        logger,
      );
      started.push(sut);
      await expect(sut.onModuleInit()).rejects.toThrow(
        /cannot watch the kill switches \(bucket NOBUCKET[0-9A-F]{8}_SWITCHES\)/,
      );
    });
  });

  describe('when a switch is flipped', () => {
    let sut: KvKillSwitches;
    beforeAll(async () => {
      sut = await startWatcher();
    });

    it('sees a tenant switch within a second, for that tenant only', async () => {
      const ms = await propagation(
        sut,
        { tool: 'draft_refund_note', tenant: 'acme', enabled: false, reason: 'bad drafts' },
        () => sut.disabled('acme', 'draft_refund_note') !== undefined,
      );
      expect(ms).toBeLessThan(PROPAGATION_BOUND_MS);
      expect(sut.disabled('acme', 'draft_refund_note')).toEqual({
        by: 'ops@example.com',
        reason: 'bad drafts',
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      expect(sut.disabled('globex', 'draft_refund_note')).toBeUndefined();
      expect(sut.disabled('acme', 'lookup_order')).toBeUndefined();
    });

    it('sees an all-tenants switch within a second, for every tenant', async () => {
      const ms = await propagation(
        sut,
        { tool: 'issue_refund', enabled: false, reason: 'payments incident' },
        () => sut.disabled('globex', 'issue_refund') !== undefined,
      );
      expect(ms).toBeLessThan(PROPAGATION_BOUND_MS);
      expect(sut.disabled('acme', 'issue_refund')?.reason).toBe('payments incident');
    });

    it('turns a tool back on when it is re-enabled, within a second', async () => {
      await flip({ tool: 'noop', tenant: 'acme', enabled: false });
      await eventually(() => sut.disabled('acme', 'noop'), 'noop off');
      const ms = await propagation(
        sut,
        { tool: 'noop', tenant: 'acme', enabled: true, reason: 'fixed' },
        () => sut.disabled('acme', 'noop') === undefined,
      );
      expect(ms).toBeLessThan(PROPAGATION_BOUND_MS);
    });

    it('keeps an all-tenants switch in force when one tenant re-enables the tool', async () => {
      await flip({ tool: 'sleep', enabled: false, reason: 'everyone' });
      await flip({ tool: 'sleep', tenant: 'acme', enabled: true, reason: 'acme only' });
      await eventually(() => sut.disabled('globex', 'sleep'), 'sleep off for all');
      // The tenant key is read first, but an enabled one does not lift the all-tenants switch.
      await new Promise((r) => setTimeout(r, 200));
      expect(sut.disabled('acme', 'sleep')?.reason).toBe('everyone');
    });

    it('forgets a switch whose key is deleted or purged', async () => {
      await flip({ tool: 'gone_a', enabled: false });
      await flip({ tool: 'gone_b', tenant: 'acme', enabled: false });
      await eventually(() => sut.disabled('acme', 'gone_b'), 'both off');
      expect(sut.disabled('acme', 'gone_a')).toBeDefined();
      const kv = await openSwitchesBucket(js, prefix);
      await kv.delete(switchKey('_all', 'gone_a'));
      await kv.purge(switchKey('acme', 'gone_b'));
      await eventually(
        () =>
          sut.disabled('acme', 'gone_a') === undefined &&
          sut.disabled('acme', 'gone_b') === undefined
            ? true
            : undefined,
        'both keys forgotten',
      );
    });

    it('counts an unreadable value as switched off', async () => {
      const kv = await openSwitchesBucket(js, prefix);
      await kv.put(switchKey('acme', 'garbled'), new TextEncoder().encode('{"enabled":"no"'));
      const state = await eventually(() => sut.disabled('acme', 'garbled'), 'garbled off');
      expect(state.reason).toMatch(/unreadable switch value/);
    });

    it('re-opens the watch when it ends, and sees the flips after that', async () => {
      // What a lost connection does to the watch's iterator.
      (sut as unknown as { watch?: { stop(): void } }).watch?.stop();
      const ms = await propagation(
        sut,
        { tool: 'after_reopen', tenant: 'acme', enabled: false },
        () => sut.disabled('acme', 'after_reopen') !== undefined,
      );
      expect(ms).toBeLessThan(PROPAGATION_BOUND_MS);
      // Everything known before is still known.
      expect(sut.disabled('acme', 'draft_refund_note')?.reason).toBe('bad drafts');
    });
  });

  describe('when it starts with switches already flipped', () => {
    it('has them in memory as soon as init resolves', async () => {
      await flip({ tool: 'preloaded', tenant: 'acme', enabled: false, reason: 'before start' });
      const sut = await startWatcher();
      expect(sut.disabled('acme', 'preloaded')?.reason).toBe('before start');
      expect(sut.disabled('acme', 'issue_refund')?.reason).toBe('payments incident');
      expect(sut.disabled('acme', 'noop')).toBeUndefined();
    });

    it('has them once the Nest module is built, before any init hook runs', async () => {
      // A hybrid app's microservice listens before onModuleInit hooks run: the port is a factory
      // that Nest awaits while building the module, so no tool.execute is served without it.
      const moduleRef = await Test.createTestingModule({
        providers: [
          { provide: NATS_CONNECTION, useValue: nc },
          { provide: SERVICE_CONFIG, useValue: config },
          { provide: LOGGER, useValue: logger },
          ...killSwitchProviders,
        ],
      }).compile();
      try {
        const sut = moduleRef.get<KillSwitches>(KILL_SWITCHES);
        expect(sut.disabled('acme', 'preloaded')?.reason).toBe('before start');
      } finally {
        await moduleRef.close();
      }
    });
  });

  describe('the audit trail', () => {
    it('records every flip on _CTL with who and why, before the switch it names', async () => {
      const { record, key, revision } = await flip({
        tool: 'issue_refund',
        tenant: 'audited',
        enabled: false,
        by: 'alice@ops',
        reason: 'refund loop in ticket 4711',
      });
      const stored = await (
        await nc.jetstreamManager()
      ).streams.getMessage(streamNames(prefix).ctl, {
        last_by_subj: subjects.switchFlips(prefix, 'audited'),
      });
      expect(stored.header.get('Tether-Type')).toBe('switch.flipped');
      const json = parseJson(stored.data);
      const parsed = json.ok ? parseAs(SwitchFlipped, json.value) : json;
      expect(parsed).toMatchObject({
        ok: true,
        value: {
          id: record.id,
          type: 'switch.flipped',
          scope: 'tenant',
          tenantId: 'audited',
          target: 'tool',
          name: 'issue_refund',
          enabled: false,
          by: 'alice@ops',
          reason: 'refund loop in ticket 4711',
        },
      });
      // The value in force points back at its audit record.
      const entry = await (await openSwitchesBucket(js, prefix)).get(key);
      expect(entry?.revision).toBe(revision);
      expect(decodeSwitch(entry!.value)).toMatchObject({
        ok: true,
        value: { enabled: false, flipId: record.id, by: 'alice@ops' },
      });
    });

    it('keeps the record of a flip whose switch could not be written, and says to flip again', async () => {
      const other = uniquePrefix('killswfail');
      const jsm = await nc.jetstreamManager();
      await provisionStreams(jsm, other);
      try {
        await jsm.streams.delete(kvStreamName(bucketNames(other).switches));
        const err = await flipToolSwitch(js, other, {
          tool: 'issue_refund',
          enabled: false,
          by: 'ops',
          reason: 'bucket gone',
        }).catch((e: unknown) => e as SwitchWriteError);
        expect(err).toMatchObject({
          name: 'SwitchWriteError',
          flipId: expect.stringMatching(/^swf_/),
          message: expect.stringMatching(/was recorded .* flip it again/),
        });
        const stored = await jsm.streams.getMessage(streamNames(other).ctl, {
          last_by_subj: subjects.switchFlips(other, '_all'),
        });
        expect(stored.header.get('Nats-Msg-Id')).toBe((err as SwitchWriteError).flipId);
      } finally {
        await deleteStreams(jsm, other);
      }
    });

    it('writes neither the record nor the switch for a flip without a reason', async () => {
      const before = (await (await nc.jetstreamManager()).streams.info(streamNames(prefix).ctl))
        .state.messages;
      await expect(
        flipToolSwitch(js, prefix, { tool: 'noop', enabled: false, by: 'ops', reason: '  ' }),
      ).rejects.toMatchObject({ name: 'ValidationError', message: /reason must not be empty/ });
      const after = (await (await nc.jetstreamManager()).streams.info(streamNames(prefix).ctl))
        .state.messages;
      expect(after).toBe(before);
    });
  });
});
