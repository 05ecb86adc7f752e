import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join, relative, resolve } from 'node:path';
import {
  ErrorCode,
  StringCodec,
  connect,
  type Msg,
  type NatsConnection,
  type Subscription,
} from 'nats';
import { CommandName, DEFAULT_PREFIX, streamNames, subjects } from '@tether/contracts';
import { connectNats, provisionStreams } from '@tether/event-store';

/**
 * The example tenant configuration, started as it is in a private nats-server (only the port and
 * the store directory come from a wrapper that includes it), and probed with the real client.
 * The file is written for the default prefix, and the server is this file's alone.
 */
const TENANTS_CONF = resolve(__dirname, '../../infra/nats/tenants.conf');
const P = DEFAULT_PREFIX;
const sc = StringCodec();

interface Refusal {
  operation: string;
  subject: string;
}

/** A connection and the permissions violations the server reported to it so far. */
interface Probe {
  nc: NatsConnection;
  refusals: Refusal[];
}

/** Core messages a subscription got, the subscription itself kept to end it. */
interface Heard {
  sub: Subscription;
  msgs: Msg[];
}

describe('tenants on the bus (infra/nats/tenants.conf)', () => {
  const passwords = { tether: secret(), acme: secret(), globex: secret() };
  let dir: string;
  let server: ChildProcess | undefined;
  let service: NatsConnection;
  let acme: Probe;
  let globex: Probe;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tether-tenants-'));
    const port = await freePort();
    url = `nats://127.0.0.1:${port}`;
    // nats-server joins an include's path to the including file's folder, so it must be relative.
    writeFileSync(
      join(dir, 'server.conf'),
      [
        `listen: 127.0.0.1:${port}`,
        `jetstream { store_dir: "${join(dir, 'store')}" }`,
        `include "${relative(dir, TENANTS_CONF)}"`,
      ].join('\n'),
    );
    const started = startNatsServer(join(dir, 'server.conf'), {
      // Quoted, as the example's comments say: the server parses a variable's value.
      TETHER_NATS_PASSWORD: `"${passwords.tether}"`,
      ACME_NATS_PASSWORD: `"${passwords.acme}"`,
      GLOBEX_NATS_PASSWORD: `"${passwords.globex}"`,
    });
    server = started.child;
    await started.ready;
    // The services' way in: credentials in TETHER_NATS_URL.
    service = await connectNats({
      url: `nats://tether:${passwords.tether}@127.0.0.1:${port}`,
      name: 'tenants-spec-service',
    });
    await provisionStreams(await service.jetstreamManager(), P);
    acme = await tenant('acme');
    globex = await tenant('globex');
  });

  afterAll(async () => {
    await Promise.all([service, acme?.nc, globex?.nc].map((nc) => nc?.close()));
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = once(server, 'exit');
      server.kill('SIGTERM');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function tenant(user: 'acme' | 'globex'): Promise<Probe> {
    const nc = await connect({ servers: url, user, pass: passwords[user], name: `${user}-spec` });
    const refusals: Refusal[] = [];
    void (async () => {
      for await (const status of nc.status()) {
        if (status.data === ErrorCode.PermissionsViolation && status.permissionContext) {
          const { operation, subject } = status.permissionContext;
          refusals.push({ operation, subject });
        }
      }
    })();
    return { nc, refusals };
  }

  /**
   * Round trips to the server on each connection in turn: whatever the server did with what was
   * sent before (a delivery, a permissions error) has reached the client when this returns.
   */
  async function settle(...ncs: NatsConnection[]): Promise<void> {
    for (const nc of ncs) await nc.flush();
    // Status events are handed to the `for await` above through a queue: let it run.
    await new Promise((r) => setImmediate(r));
  }

  function hear(nc: NatsConnection, subject: string): Heard {
    const msgs: Msg[] = [];
    const sub = nc.subscribe(subject, { callback: (err, msg) => err || msgs.push(msg) });
    return { sub, msgs };
  }

  const command = (tenantId: string) => subjects.command(P, tenantId, CommandName.RunStart);
  const names = streamNames(P);

  describe('commands', () => {
    it("lets a tenant publish its own commands, which Tether's services receive", async () => {
      const heard = hear(service, subjects.allCommands(P));
      await settle(service);

      acme.nc.publish(command('acme'), sc.encode('core start'));
      await settle(acme.nc, service);

      expect(heard.msgs.map((m) => [m.subject, m.string()])).toEqual([
        [command('acme'), 'core start'],
      ]);
      expect(acme.refusals).toEqual([]);
      heard.sub.unsubscribe();
    });

    it("refuses a command on another tenant's subject, and nobody receives it", async () => {
      const heard = hear(service, subjects.allCommands(P));
      await settle(service);

      acme.nc.publish(command('globex'), sc.encode('forged start'));
      await settle(acme.nc, service);

      expect(acme.refusals).toContainEqual({ operation: 'publish', subject: command('globex') });
      expect(heard.msgs).toEqual([]);
      heard.sub.unsubscribe();
    });

    it("refuses the services' own commands on the tenant's subjects (run.resume, timer.deadline)", async () => {
      for (const subject of [subjects.runResume(P, 'acme'), subjects.runDeadline(P, 'acme')]) {
        acme.nc.publish(subject, sc.encode('{}'));
        await settle(acme.nc);
        expect(acme.refusals).toContainEqual({ operation: 'publish', subject });
      }
    });

    it('stores a JetStream publish of its own command in the command stream, and acks it', async () => {
      const ack = await acme.nc
        .jetstream()
        .publish(command('acme'), sc.encode('stored start'), { msgID: 'spec-js-1' });

      expect(ack).toMatchObject({ stream: names.cmd, duplicate: false });
      const stored = await (
        await service.jetstreamManager()
      ).streams.getMessage(names.cmd, {
        seq: ack.seq,
      });
      expect([stored.subject, sc.decode(stored.data)]).toEqual([command('acme'), 'stored start']);
    });

    it("refuses a JetStream publish on another tenant's subject", async () => {
      await expect(
        acme.nc.jetstream().publish(command('globex'), sc.encode('forged start')),
      ).rejects.toMatchObject({ code: ErrorCode.PermissionsViolation });
    });

    it("cannot have JetStream write its ack into another tenant's run (the reply subject)", async () => {
      // The server checks the subject of a publish, never its reply subject, and JetStream acks
      // to the reply subject: in one account this ack would land in the event stream.
      const target = subjects.run(P, 'globex', 'run_reflected');
      const heard = hear(service, subjects.allEvents(P));
      await settle(service);

      acme.nc.publish(command('acme'), sc.encode('reflect'), { reply: target });
      // The stream acks in order: once this ack is back, the one above has been sent.
      const after = await acme.nc.jetstream().publish(command('acme'), sc.encode('after'));
      await settle(service);

      const jsm = await service.jetstreamManager();
      const reflected = await jsm.streams.getMessage(names.cmd, { seq: after.seq - 1 });
      expect(sc.decode(reflected.data)).toBe('reflect');
      expect(heard.msgs).toEqual([]);
      await expect(
        jsm.streams.getMessage(names.evt, { last_by_subj: target }),
      ).rejects.toMatchObject({ code: '404' });
      heard.sub.unsubscribe();
    });
  });

  describe('events', () => {
    it("delivers a tenant's own events and refuses another tenant's, or everyone's", async () => {
      const own = hear(acme.nc, subjects.tenantEvents(P, 'acme'));
      const other = hear(acme.nc, subjects.tenantEvents(P, 'globex'));
      const all = hear(acme.nc, subjects.allEvents(P));
      const globexOwn = hear(globex.nc, subjects.tenantEvents(P, 'globex'));
      await settle(acme.nc, globex.nc);

      const js = service.jetstream();
      await js.publish(subjects.run(P, 'acme', 'run_a1'), sc.encode('acme event'));
      await js.publish(subjects.run(P, 'globex', 'run_g1'), sc.encode('globex event'));
      await settle(service, acme.nc, globex.nc);

      expect(acme.refusals).toEqual(
        expect.arrayContaining([
          { operation: 'subscription', subject: subjects.tenantEvents(P, 'globex') },
          { operation: 'subscription', subject: subjects.allEvents(P) },
        ]),
      );
      expect(own.msgs.map((m) => [m.subject, m.string()])).toEqual([
        [subjects.run(P, 'acme', 'run_a1'), 'acme event'],
      ]);
      expect(other.msgs).toEqual([]);
      expect(all.msgs).toEqual([]);
      expect(globexOwn.msgs.map((m) => m.string())).toEqual(['globex event']);
      for (const h of [own, other, all, globexOwn]) h.sub.unsubscribe();
    });

    it("announces a tenant's own run ends to it, and refuses another tenant's", async () => {
      const own = hear(acme.nc, subjects.tenantEnds(P, 'acme'));
      const other = hear(acme.nc, subjects.tenantEnds(P, 'globex'));
      await settle(acme.nc);

      service.publish(subjects.runEnd(P, 'acme', 'run_a2'), sc.encode('acme end'));
      service.publish(subjects.runEnd(P, 'globex', 'run_g2'), sc.encode('globex end'));
      await settle(service, acme.nc);

      expect(acme.refusals).toEqual(
        expect.arrayContaining([
          { operation: 'subscription', subject: subjects.tenantEnds(P, 'globex') },
        ]),
      );
      expect(own.msgs.map((m) => [m.subject, m.string()])).toEqual([
        [subjects.runEnd(P, 'acme', 'run_a2'), 'acme end'],
      ]);
      expect(other.msgs).toEqual([]);
      for (const h of [own, other]) h.sub.unsubscribe();
    });
  });

  describe("Tether's own subjects", () => {
    it('refuses the JetStream API, so no stream can be read or changed', async () => {
      const api = `$JS.API.STREAM.INFO.${names.evt}`;
      await expect(acme.nc.request(api)).rejects.toMatchObject({
        code: ErrorCode.PermissionsViolation,
      });
      await settle(acme.nc);
      expect(acme.refusals).toContainEqual({ operation: 'publish', subject: api });
    });

    it('refuses control, notice and internal service subjects, both ways', async () => {
      const ctl = subjects.allControl(P);
      const svc = subjects.service(P, '*', '*');
      const ntc = subjects.allNotices(P);
      const heard = [hear(acme.nc, ctl), hear(acme.nc, svc), hear(acme.nc, ntc)];
      const forged = subjects.notice(P, 'budget', 'acme', 'run_1');
      acme.nc.publish(subjects.rejectedCommands(P, 'acme'), sc.encode('{}'));
      acme.nc.publish(subjects.service(P, 'approval', 'decide'), sc.encode('{}'));
      acme.nc.publish(forged, sc.encode('{}'));
      await settle(acme.nc);

      expect(acme.refusals).toEqual(
        expect.arrayContaining([
          { operation: 'subscription', subject: ctl },
          { operation: 'subscription', subject: svc },
          { operation: 'subscription', subject: ntc },
          { operation: 'publish', subject: subjects.rejectedCommands(P, 'acme') },
          { operation: 'publish', subject: subjects.service(P, 'approval', 'decide') },
          { operation: 'publish', subject: forged },
        ]),
      );
      for (const h of heard) h.sub.unsubscribe();
    });
  });

  describe('replies', () => {
    it("shows a tenant on _INBOX.> its own replies only, never another tenant's or Tether's", async () => {
      const snoop = hear(acme.nc, '_INBOX.>');
      const echo = subjects.service(P, 'spec', 'echo');
      const responder = service.subscribe(echo, { callback: (_e, m) => m.respond(m.data) });
      await settle(acme.nc, service);

      const globexAck = await globex.nc.jetstream().publish(command('globex'), sc.encode('g'));
      const reply = await service.request(echo, sc.encode('service reply'));
      // Delivered after anything above could have reached acme: the same connection, in order.
      const ownAck = await acme.nc.jetstream().publish(command('acme'), sc.encode('a'));
      await settle(acme.nc);

      expect(reply.string()).toBe('service reply');
      expect(globexAck.seq).toBeLessThan(ownAck.seq);
      expect(snoop.msgs.map((m) => m.json<{ stream: string; seq: number }>())).toEqual([
        expect.objectContaining({ stream: names.cmd, seq: ownAck.seq }),
      ]);
      snoop.sub.unsubscribe();
      responder.unsubscribe();
    });
  });
});

function secret(): string {
  return randomBytes(18).toString('base64url');
}

async function freePort(): Promise<number> {
  // Port 0 in a config file's `listen` is not honoured by every nats-server version.
  const probe = createServer();
  await new Promise<void>((ok, fail) => probe.once('error', fail).listen(0, '127.0.0.1', ok));
  const { port } = probe.address() as AddressInfo;
  await new Promise((ok) => probe.close(ok));
  return port;
}

function natsServerBinary(): string {
  const candidates = [
    ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'nats-server')),
    '/usr/sbin/nats-server',
    '/usr/local/bin/nats-server',
  ];
  const found = candidates.find((c) => existsSync(c));
  if (!found)
    throw new Error(`this test starts nats-server; none found (${candidates.join(', ')})`);
  return found;
}

/** Starts nats-server with `config`; `ready` resolves once it says so, and rejects if it exits first. */
function startNatsServer(
  config: string,
  env: Record<string, string>,
): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(natsServerBinary(), ['-c', config], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const ready = new Promise<void>((ok, fail) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      if (log.includes('Server is ready')) return;
      log += chunk.toString();
      if (log.includes('Server is ready')) ok();
    });
    child.once('error', fail);
    child.once('exit', (code, signal) =>
      fail(new Error(`nats-server exited (${code ?? signal}) before it was ready:\n${log}`)),
    );
  });
  return { child, ready };
}
