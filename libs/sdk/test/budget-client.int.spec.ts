import type { NatsConnection, Subscription } from 'nats';
import { connectTestNats, uniquePrefix } from '../../testing/src/infra.helper';
import { TetherClient } from '../src';
import { aCap } from './budget.fixtures';

/** `client.budget` over the bus, against a stand-in for the budget service's replies. */
describe('Budget through a TetherClient', () => {
  let nc: NatsConnection;
  let responder: Subscription | undefined;
  const asked: string[] = [];
  const prefix = uniquePrefix('sdkbudget');

  beforeAll(async () => {
    nc = await connectTestNats();
  });
  afterEach(() => {
    responder?.unsubscribe();
    responder = undefined;
    asked.length = 0;
  });
  afterAll(async () => {
    await nc.close();
  });

  /** Answers every budget request with `reply` (the service's envelope). */
  async function budgetAnswers(reply: unknown): Promise<TetherClient> {
    responder = nc.subscribe(`${prefix}.svc.budget.>`, {
      callback: (_err, m) => {
        asked.push(m.subject);
        m.respond(new TextEncoder().encode(JSON.stringify(reply)));
      },
    });
    await nc.flush();
    return new TetherClient(nc, { prefix, tenant: 'acme' });
  }

  it('asks <P>.svc.budget.<op>', async () => {
    const sut = await budgetAnswers({ ok: true, result: [aCap] });
    expect(await sut.budget.caps()).toEqual([aCap]);
    expect(asked).toEqual([`${prefix}.svc.budget.caps.list`]);
  });

  it("turns the service's validation refusal into a ValidationError saying why", async () => {
    const sut = await budgetAnswers({
      ok: false,
      error: {
        name: 'ValidationError',
        code: 'validation_failed',
        message: 'global caps belong to tenant _all',
      },
    });
    const err = await sut.budget
      .setCap({
        tenantId: 'acme',
        cap: 'global_daily',
        subject: 'u_1',
        limitUsd: 5,
        by: 'alice',
        reason: 'trial user',
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      name: 'ValidationError',
      problems: ['global caps belong to tenant _all'],
    });
  });

  it('passes other refusals on as RemoteError with their code', async () => {
    const sut = await budgetAnswers({
      ok: false,
      error: { name: 'ForbiddenError', code: 'forbidden', message: 'no' },
    });
    const err = await sut.budget.caps().catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'RemoteError', code: 'forbidden' });
  });

  it('says the budget service is not running when nobody answers', async () => {
    const sut = new TetherClient(nc, { prefix, tenant: 'acme' });
    const err = (await sut.budget
      .spend({ tenantId: 'acme', by: 'day' })
      .catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ name: 'ServiceUnavailableError', service: 'budget' });
    expect(err.message).toMatch(new RegExp(`budget is not running on prefix "${prefix}"`));
  });
});
