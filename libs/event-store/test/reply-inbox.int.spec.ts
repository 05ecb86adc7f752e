import { headers, type NatsConnection, type NatsError } from 'nats';
import { ReplyInbox } from '@tether/event-store';
import { connectTestNats, uniquePrefix } from '../../testing/src/infra.helper';

describe('ReplyInbox', () => {
  let nc: NatsConnection;
  const prefix = uniquePrefix('inbox');
  const text = (s: string) => new TextEncoder().encode(s);
  const read = (data: Uint8Array) => new TextDecoder().decode(data);
  const codeOf = (err: unknown) => (err as NatsError).code;

  beforeAll(async () => {
    nc = await connectTestNats();
  });
  afterAll(async () => {
    await nc.close();
  });

  it('hands each request its own reply, whatever order the replies come in', async () => {
    const held: { reply: string; body: string }[] = [];
    const sub = nc.subscribe(`${prefix}.echo`, {
      callback: (_err, m) => {
        held.push({ reply: m.reply!, body: read(m.data) });
        // Answer all three at once, last first.
        if (held.length === 3) {
          for (const h of held.reverse()) nc.publish(h.reply, text(`re:${h.body}`));
        }
      },
    });
    await nc.flush();
    const inbox = ReplyInbox.of(nc);
    const replies = await Promise.all(
      ['a', 'b', 'c'].map((body) =>
        inbox.request(`${prefix}.echo`, text(body), { timeoutMs: 5_000 }),
      ),
    );
    expect(replies.map((r) => read(r.data))).toEqual(['re:a', 're:b', 're:c']);
    sub.unsubscribe();
  });

  it('sends the headers and is one inbox per connection', async () => {
    const sub = nc.subscribe(`${prefix}.headers`, {
      callback: (_err, m) => m.respond(text(m.headers?.get('X-Probe') ?? 'none')),
    });
    await nc.flush();
    const h = headers();
    h.set('X-Probe', 'seen');
    const reply = await ReplyInbox.of(nc).request(`${prefix}.headers`, text(''), {
      headers: h,
      timeoutMs: 5_000,
    });
    expect(read(reply.data)).toBe('seen');
    expect(ReplyInbox.of(nc)).toBe(ReplyInbox.of(nc));
    sub.unsubscribe();
  });

  it('fails with 503 when nothing listens on the subject', async () => {
    const err = await ReplyInbox.of(nc)
      .request(`${prefix}.nobody`, text('x'), { timeoutMs: 5_000 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'NatsError' });
    expect(codeOf(err)).toBe('503');
  });

  it('fails with TIMEOUT when the reply does not come, and ignores it when it comes late', async () => {
    const late: string[] = [];
    const sub = nc.subscribe(`${prefix}.slow`, { callback: (_err, m) => late.push(m.reply!) });
    await nc.flush();
    const inbox = ReplyInbox.of(nc);
    const err = await inbox
      .request(`${prefix}.slow`, text('x'), { timeoutMs: 50 })
      .catch((e: unknown) => e);
    expect(codeOf(err)).toBe('TIMEOUT');
    // The late reply lands on nobody; the inbox still serves the next request.
    nc.publish(late[0], text('too late'));
    const echo = nc.subscribe(`${prefix}.after`, { callback: (_e, m) => m.respond(text('ok')) });
    await nc.flush();
    const reply = await inbox.request(`${prefix}.after`, text('x'), { timeoutMs: 5_000 });
    expect(read(reply.data)).toBe('ok');
    sub.unsubscribe();
    echo.unsubscribe();
  });

  it('fails what is waiting when its connection closes, and refuses requests after', async () => {
    const own = await connectTestNats();
    const sub = nc.subscribe(`${prefix}.never`, { callback: () => undefined });
    await nc.flush();
    const inbox = ReplyInbox.of(own);
    const waiting = inbox
      .request(`${prefix}.never`, text('x'), { timeoutMs: 60_000 })
      .catch((e: unknown) => e);
    await own.flush();
    await own.close();
    expect(codeOf(await waiting)).toBe('CONNECTION_CLOSED');
    const after = await inbox
      .request(`${prefix}.never`, text('x'), { timeoutMs: 60_000 })
      .catch((e: unknown) => e);
    expect(codeOf(after)).toBe('CONNECTION_CLOSED');
    sub.unsubscribe();
  });
});
