import { Injectable, type OnModuleDestroy, type OnModuleInit, type Provider } from '@nestjs/common';
import type { KvEntry, NatsConnection, QueuedIterator } from 'nats';
import type { Logger } from 'pino';
import { ALL_TENANTS, bucketNames, parseSwitchKey, switchKey } from '@tether/contracts';
import { openSwitchesBucket, readSwitch } from '@tether/event-store';
import { InjectConfig, InjectLogger, InjectNats, type BaseConfig } from '@tether/service-kit';
import { KILL_SWITCHES, type KillSwitches, type SwitchState } from '../../application/ports';

/** Starting the service fails when the switches cannot be read within this long. */
export const LOAD_TIMEOUT_MS = 10_000;
const REOPEN_DELAYS_MS = [100, 250, 500, 1_000, 2_000, 5_000];

/**
 * The kill switches of the `<P>_SWITCHES` bucket, kept in memory by watching every key: the
 * initial values first, then every put, delete and purge as it happens. `disabled()` never
 * waits on I/O. While the watch is down (NATS unreachable) the last known switches stay in
 * force; the watch is re-opened until it works again.
 */
@Injectable()
export class KvKillSwitches implements KillSwitches, OnModuleInit, OnModuleDestroy {
  /** Switch key → why the tool is off; keys of enabled switches are absent. */
  private off = new Map<string, SwitchState>();
  private loaded?: Promise<void>;
  private loop?: Promise<void>;
  private watch?: QueuedIterator<KvEntry>;
  private closing = false;
  private wakeUp?: () => void;

  constructor(
    @InjectNats() private readonly nc: NatsConnection,
    @InjectConfig() private readonly config: BaseConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  disabled(tenantId: string, tool: string): SwitchState | undefined {
    return this.off.get(switchKey(tenantId, tool)) ?? this.off.get(switchKey(ALL_TENANTS, tool));
  }

  /** Resolves once the initial values are in memory. Idempotent: the factory provider calls it too. */
  onModuleInit(): Promise<void> {
    this.loaded ??= new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(`kill switches not loaded within ${LOAD_TIMEOUT_MS / 1000}s: is NATS up?`),
        );
        void this.onModuleDestroy();
      }, LOAD_TIMEOUT_MS);
      const done = (err?: unknown) => {
        clearTimeout(timer);
        if (err) reject(err as Error);
        else resolve();
      };
      this.loop = this.keepWatching(done);
    });
    return this.loaded;
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    this.watch?.stop();
    this.wakeUp?.();
    await this.loop;
  }

  /** Watches until the module is destroyed, re-opening the watch whenever it ends. */
  private async keepWatching(loaded: (err?: unknown) => void): Promise<void> {
    let first = true;
    let failures = 0;
    while (!this.closing && !this.nc.isClosed()) {
      try {
        await this.watchOnce((count) => {
          failures = 0;
          if (first) {
            first = false;
            loaded();
            this.logger.info({ off: count }, 'kill switches loaded');
          } else this.logger.warn({ off: count }, 'kill-switch watch re-opened');
        });
        if (this.closing) return;
        this.logger.warn('kill-switch watch ended; re-opening it');
      } catch (err) {
        if (this.closing) return;
        if (first) {
          // The service does not start without its switches.
          const bucket = bucketNames(this.config.prefix).switches;
          loaded(
            new Error(
              `cannot watch the kill switches (bucket ${bucket}): ${(err as Error).message}`,
              {
                cause: err,
              },
            ),
          );
          return;
        }
        this.logger.error(
          { err: (err as Error).message },
          'kill-switch watch failed; the last known switches stay in force, re-opening',
        );
      }
      await this.pause(REOPEN_DELAYS_MS[Math.min(failures++, REOPEN_DELAYS_MS.length - 1)]);
    }
  }

  /**
   * One watch of every key. Its initial values go into a fresh map, which replaces the one in
   * force once complete, so a re-opened watch also forgets keys removed while it was down.
   */
  private async watchOnce(onLoaded: (off: number) => void): Promise<void> {
    const kv = await openSwitchesBucket(this.nc.jetstream(), this.config.prefix);
    const fresh = new Map<string, SwitchState>();
    let live = false;
    let initialCount: number | undefined;
    let applied = 0;
    const goLive = () => {
      if (live) return;
      live = true;
      this.off = fresh;
      onLoaded(fresh.size);
    };
    // nats.js calls this after the last initial value: from the iterator, once the loop below has
    // applied them (then go live), or from inside watch() when they have all arrived already but
    // still wait in the iterator's queue (then go live once that many are applied).
    let opened = false;
    let initializedEarly = false;
    const watch = await kv.watch({
      initializedFn: () => {
        if (opened) goLive();
        else initializedEarly = true;
      },
    });
    opened = true;
    this.watch = watch;
    // Destroyed while the watch was being opened: its stop() found nothing to stop.
    if (this.closing) watch.stop();
    if (initializedEarly) initialCount = watch.getReceived();
    if (initialCount === 0) goLive();
    try {
      for await (const entry of watch) {
        this.apply(fresh, entry);
        applied++;
        if (initialCount !== undefined && applied >= initialCount) goLive();
      }
    } finally {
      if (this.watch === watch) this.watch = undefined;
    }
  }

  private apply(into: Map<string, SwitchState>, entry: KvEntry): void {
    const parsed = parseSwitchKey(entry.key);
    if (!parsed) return;
    if (entry.operation !== 'PUT') {
      into.delete(entry.key);
      return;
    }
    const { setting, unreadable } = readSwitch(entry);
    if (unreadable) {
      this.logger.error(
        { key: entry.key, revision: entry.revision, problems: unreadable },
        'unreadable kill-switch value: the tool counts as switched off',
      );
    }
    if (setting.enabled) into.delete(entry.key);
    else into.set(entry.key, { by: setting.by, reason: setting.reason, at: setting.at });
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/**
 * The watcher and the `KILL_SWITCHES` port. The port is a factory that awaits the initial values:
 * Nest awaits factories while it builds the app, before the service answers `tool.execute`
 * (a hybrid app's microservice listens before `onModuleInit` hooks run), so a freshly started
 * executor never runs a tool that is switched off.
 */
export const killSwitchProviders: Provider[] = [
  KvKillSwitches,
  {
    provide: KILL_SWITCHES,
    useFactory: async (switches: KvKillSwitches) => {
      await switches.onModuleInit();
      return switches;
    },
    inject: [KvKillSwitches],
  },
];
