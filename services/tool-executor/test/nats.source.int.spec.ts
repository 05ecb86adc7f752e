import type { Msg, NatsConnection } from 'nats';
import { connectTestNats, uniquePrefix } from '../../../libs/testing/src/infra.helper';
import type { ToolContext } from '../src/domain/tool-handler';
import { NatsSource, type RemoteToolRequest } from '../src/sources/nats.source';

/** A remote tool as a team would write it: any NATS service answering on a subject of its own. */
describe(NatsSource.name, () => {
  const subject = `${uniquePrefix('natssrc')}.crm.customer`;
  let remote: NatsConnection;
  let nc: NatsConnection;
  let sut: NatsSource;
  let n = 0;

  beforeAll(async () => {
    remote = await connectTestNats('nats-source-remote');
    nc = await connectTestNats('nats-source-sut');
    sut = new NatsSource(nc);
    remote.subscribe(`${subject}.*`, {
      queue: 'crm',
      callback: (_err, msg) => answer(msg),
    });
    await remote.flush();
  });
  afterAll(async () => {
    await remote?.close();
    await nc?.close();
  });

  /** Replies by the last token of the subject, so each test picks the behaviour it needs. */
  function answer(msg: Msg) {
    const request = JSON.parse(new TextDecoder().decode(msg.data)) as RemoteToolRequest;
    const reply = (value: unknown) =>
      msg.respond(
        new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value)),
      );
    switch (msg.subject.split('.').pop()) {
      case 'echo':
        return reply({
          result: {
            request,
            idempotencyKey: msg.headers?.get('Idempotency-Key'),
            tenant: msg.headers?.get('Tether-Tenant'),
          },
        });
      case 'refuse':
        return reply({ error: 'no such customer', refused: true, reason: 'not_found' });
      case 'busy':
        return reply({ error: 'CRM is busy', retryable: true });
      case 'garbled':
        return reply('<html>oops</html>');
      case 'silent':
        return; // never answers
    }
  }

  const ctx = (signal: AbortSignal = AbortSignal.timeout(5_000)): ToolContext => {
    n += 1;
    return {
      tenantId: 'acme',
      runId: 'run_nats1',
      userId: 'u_1',
      callId: `call_${n}`,
      idempotencyKey: `run_nats1:call_${n}`,
      signal,
    };
  };
  const call = (token: string, args: Record<string, unknown> = {}, c = ctx(), timeoutMs?: number) =>
    sut.handlerFor({
      name: 'crm_lookup',
      tier: 0,
      timeoutMs,
      nats: { subject: `${subject}.${token}` },
    })!(args, c);

  it('sends the call and its identity, and returns the result', async () => {
    const c = ctx();
    await expect(call('echo', { email: 'a@b.example' }, c)).resolves.toEqual({
      request: {
        tool: 'crm_lookup',
        args: { email: 'a@b.example' },
        tenantId: 'acme',
        runId: 'run_nats1',
        userId: 'u_1',
        callId: c.callId,
        idempotencyKey: c.idempotencyKey,
      },
      idempotencyKey: c.idempotencyKey,
      tenant: 'acme',
    });
  });

  it('says plainly that no service answers a subject nobody serves, retryable', async () => {
    const nobody = `${uniquePrefix('nobody')}.tool`;
    await expect(
      sut.handlerFor({ name: 't', tier: 0, nats: { subject: nobody } })!({}, ctx()),
    ).rejects.toMatchObject({
      name: 'ToolFailure',
      retryable: true,
      message: `no service answers ${nobody}`,
    });
  });

  it("reports the service's refusal as a refusal", async () => {
    await expect(call('refuse')).rejects.toMatchObject({
      name: 'ToolRefusal',
      reason: 'not_found',
      message: 'no such customer',
    });
  });

  it("keeps the service's word on whether an error is retryable", async () => {
    await expect(call('busy')).rejects.toMatchObject({
      name: 'ToolFailure',
      retryable: true,
      message: 'CRM is busy',
    });
  });

  it('fails a malformed reply for good', async () => {
    await expect(call('garbled')).rejects.toMatchObject({
      name: 'ToolFailure',
      retryable: false,
      message: `malformed reply on ${subject}.garbled: not JSON`,
    });
  });

  it('stops waiting as soon as the signal aborts', async () => {
    const t0 = Date.now();
    await expect(call('silent', {}, ctx(AbortSignal.timeout(200)))).rejects.toMatchObject({
      name: 'ToolFailure',
      retryable: true,
      message: expect.stringContaining('aborted'),
    });
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it("never waits longer than the tool's own timeout", async () => {
    await expect(call('silent', {}, ctx(), 300)).rejects.toMatchObject({
      name: 'ToolFailure',
      retryable: true,
      message: `no reply on ${subject}.silent within 300 ms`,
    });
  });
});
