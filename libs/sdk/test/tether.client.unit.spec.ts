import type { NatsConnection } from 'nats';
import { TetherClient, type FlipOptions, type StartRunInput } from '../src';

/** A connection that records publishes; the client must not touch it for invalid input. */
function aConnection() {
  const publish = jest.fn(async () => ({ stream: 'P_CMD', seq: 1, duplicate: false }));
  const jetstream = jest.fn(() => ({ publish }));
  const nc = {
    jetstream,
    jetstreamManager: jest.fn(),
    isClosed: () => false,
    close: jest.fn(),
  } as unknown as NatsConnection;
  return { nc, publish, jetstream };
}

const valid: StartRunInput = {
  agent: 'support-agent',
  input: 'Where is order 1042?',
  userId: 'u_88',
};

const validFlip: FlipOptions = { by: 'ops@example.com', reason: 'payments incident' };

async function validationError(
  action: () => Promise<unknown>,
): Promise<Error & { problems: string[] }> {
  try {
    await action();
  } catch (err) {
    expect((err as Error).name).toBe('ValidationError');
    return err as Error & { problems: string[] };
  }
  throw new Error('expected a ValidationError');
}

describe(TetherClient.name, () => {
  describe('when a command is invalid', () => {
    it.each<[string, Partial<StartRunInput>, RegExp]>([
      ['an upper-case agent', { agent: 'Support' }, /agent must be a lower-case agent name/],
      ['a run id that is not a subject token', { runId: 'run_a.b' }, /runId must be "run_"/],
      ['a run id without the run_ prefix', { runId: '01JD' }, /runId/],
      ['an unknown mode', { mode: 'yolo' as never }, /mode/],
      ['an oversized input', { input: 'x'.repeat(100_001) }, /input/],
      ['roles that are not strings', { roles: [1 as never] }, /roles/],
      ['metadata that is not an object', { metadata: 'x' as never }, /metadata/],
    ])('refuses run.start with %s, without publishing', async (_label, change, problem) => {
      const { nc, publish, jetstream } = aConnection();
      const sut = new TetherClient(nc, { tenant: 'acme' });
      const err = await validationError(() => sut.startRun({ ...valid, ...change }));
      expect(err.problems.join('\n')).toMatch(problem);
      expect(publish).not.toHaveBeenCalled();
      expect(jetstream).not.toHaveBeenCalled();
    });

    it('lists every problem at once', async () => {
      const { nc } = aConnection();
      const sut = new TetherClient(nc, { tenant: 'acme' });
      const err = await validationError(() =>
        sut.startRun({ agent: 'Bad Name', input: 7 as never, userId: undefined as never }),
      );
      expect(err.problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/agent/),
          expect.stringMatching(/input/),
          expect.stringMatching(/userId/),
        ]),
      );
    });

    it('refuses an idempotency key with spaces', async () => {
      const { nc, publish } = aConnection();
      const sut = new TetherClient(nc, { tenant: 'acme' });
      await validationError(() => sut.startRun({ ...valid, idempotencyKey: 'two words' }));
      expect(publish).not.toHaveBeenCalled();
    });

    it('refuses run.cancel and approval.decide that break their contract', async () => {
      const { nc, publish } = aConnection();
      const sut = new TetherClient(nc, { tenant: 'acme' });
      await validationError(() => sut.cancel('not-a-run', { requestedBy: 'ops' }));
      await validationError(() => sut.cancel('run_1', { requestedBy: 5 as never }));
      await validationError(() =>
        sut.decide({
          approvalId: 'apr_1',
          decision: 'maybe' as never,
          approverId: 'u_12',
          roles: ['approver'],
        }),
      );
      expect(publish).not.toHaveBeenCalled();
    });

    it('refuses to follow or read a run id that is not a subject token', async () => {
      const { nc } = aConnection();
      const sut = new TetherClient(nc, { tenant: 'acme' });
      await validationError(() => sut.follow('run_*').next());
      await validationError(() => sut.followLog('run_1', { afterSeq: -1 }).next());
      await validationError(() => sut.followLog('run_1', { afterSeq: 1.5 }).next());
      await validationError(() => sut.events('run_>'));
    });

    it('refuses subscriptions with an unknown type or a bad durable name', async () => {
      const { nc } = aConnection();
      const sut = new TetherClient(nc, { tenant: 'acme' });
      await validationError(() => sut.subscribe({ types: ['run.exploded' as never] }).next());
      await validationError(() => sut.subscribe({ durable: 'a.b' }).next());
      await validationError(() => sut.subscribe({ tenant: 'a.b' }).next());
    });
  });

  it('refuses a prefix or tenant that is not a subject token', () => {
    const { nc } = aConnection();
    expect(() => new TetherClient(nc, { tenant: 'acme', prefix: 'Tether' })).toThrow(
      /prefix "Tether"/,
    );
    expect(() => new TetherClient(nc, { tenant: 'a.b' })).toThrow(/tenant "a.b"/);
  });

  describe('when run.start is valid', () => {
    it('publishes the body to the tenant command subject with the idempotency key as Nats-Msg-Id', async () => {
      const { nc, publish } = aConnection();
      const sut = new TetherClient(nc, { tenant: 'acme', prefix: 'p1' });
      const started = await sut.startRun(valid);
      expect(started.runId).toMatch(/^run_[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(started).toEqual({
        runId: started.runId,
        idempotencyKey: `start-${started.runId}`,
        duplicate: false,
      });
      expect(publish).toHaveBeenCalledTimes(1);
      const [subject, data, options] = publish.mock.calls[0] as unknown as [
        string,
        Uint8Array,
        { msgID: string },
      ];
      expect(subject).toBe('p1.cmd.acme.run.start');
      expect(options.msgID).toBe(started.idempotencyKey);
      expect(JSON.parse(Buffer.from(data).toString())).toEqual({
        runId: started.runId,
        ...valid,
        roles: ['user'],
      });
    });
  });

  describe('tools', () => {
    describe('when a flip is invalid', () => {
      it.each<[string, string, Partial<FlipOptions>, RegExp]>([
        ['no reason', 'issue_refund', { reason: '' }, /reason must not be empty/],
        ['a blank reason', 'issue_refund', { reason: '   ' }, /reason must not be empty/],
        ['a blank operator', 'issue_refund', { by: ' ' }, /by must not be empty/],
        ['a tool name with a space', 'issue refund', {}, /name must be a tool name/],
        ['a wildcard tool', '*', {}, /name must be a tool name/],
        ['a tenant that is not a token', 'issue_refund', { tenant: 'a.b' }, /tenantId/],
        ['the reserved all-tenants scope', 'issue_refund', { tenant: '_all' }, /is reserved/],
      ])('refuses %s without writing anything', async (_what, tool, over, problem) => {
        const { nc, publish } = aConnection();
        const sut = new TetherClient(nc, { tenant: 'acme' });
        await expect(sut.tools.disable(tool, { ...validFlip, ...over })).rejects.toMatchObject({
          name: 'ValidationError',
          message: problem,
        });
        await expect(sut.tools.enable(tool, { ...validFlip, ...over })).rejects.toMatchObject({
          name: 'ValidationError',
        });
        expect(publish).not.toHaveBeenCalled();
      });
    });
  });
});
