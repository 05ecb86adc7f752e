import {
  IDEMPOTENCY_KEY_PATTERN,
  maySee,
  parseLastEventId,
  requestHash,
  runUser,
  seesWholeTenant,
  sseFrame,
} from '../src/domain/run-access';

const user = { subject: 'u_1', roles: ['user'] };
const operator = { subject: 'ops', roles: ['operator'] };
const admin = { subject: 'root', roles: ['admin'] };
const approver = { subject: 'apr', roles: ['approver'] };

describe('who sees a run', () => {
  it.each([
    ['a user, their own run', user, 'u_1', true],
    ['a user, another user’s run', user, 'u_2', false],
    ['a user, a run with no known owner', user, null, false],
    ['a user, a run whose owner is not known yet', user, undefined, false],
    ['an operator, anyone’s run', operator, 'u_2', true],
    ['an operator, a run with no known owner', operator, null, true],
    ['an admin, anyone’s run', admin, 'u_2', true],
    ['an approver, someone else’s run', approver, 'u_2', false],
    ['an approver, a run acting for them', approver, 'apr', true],
  ] as const)('%s: %s', (_label, caller, owner, expected) => {
    expect(maySee(caller, owner)).toBe(expected);
  });

  it('gives the whole tenant to operators and admins only', () => {
    expect(seesWholeTenant(['operator'])).toBe(true);
    expect(seesWholeTenant(['user', 'admin'])).toBe(true);
    expect(seesWholeTenant(['user', 'approver'])).toBe(false);
    expect(seesWholeTenant([])).toBe(false);
  });
});

describe('whom a new run acts for', () => {
  it('is the caller by default, or when they name themselves', () => {
    expect(runUser(user, undefined)).toEqual({ ok: true, userId: 'u_1' });
    expect(runUser(user, 'u_1')).toEqual({ ok: true, userId: 'u_1' });
  });

  it('may be another user only for a tenant-wide key', () => {
    expect(runUser(operator, 'customer-7')).toEqual({ ok: true, userId: 'customer-7' });
    expect(runUser(admin, 'customer-7')).toEqual({ ok: true, userId: 'customer-7' });
    expect(runUser(user, 'u_2')).toEqual({ ok: false, reason: expect.stringMatching(/operator/) });
    expect(runUser(approver, 'u_2').ok).toBe(false);
  });
});

describe('the fingerprint of a create request', () => {
  it('ignores property order and absent values', () => {
    const a = requestHash({ agent: 'a', input: 'x', metadata: { b: 1, a: [1, { d: 2, c: 3 }] } });
    const b = requestHash({
      metadata: { a: [1, { c: 3, d: 2 }], b: 1 },
      input: 'x',
      agent: 'a',
      mode: undefined,
    });
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with any value, nesting or array order', () => {
    const base = { agent: 'a', input: 'x', userId: 'u_1', metadata: { tags: [1, 2] } };
    const variants = [
      { ...base, input: 'y' },
      { ...base, userId: 'u_2' },
      { ...base, mode: 'shadow' },
      { ...base, metadata: { tags: [2, 1] } },
      { ...base, metadata: { tags: '1,2' } },
      { ...base, metadata: { tags: [1, 2], extra: null } },
    ];
    const hashes = new Set([base, ...variants].map(requestHash));
    expect(hashes.size).toBe(variants.length + 1);
  });

  it('tells a string from the number it spells', () => {
    expect(requestHash({ a: 1 })).not.toBe(requestHash({ a: '1' }));
  });
});

describe('Idempotency-Key', () => {
  it.each(['2f6c1d2e-5b0a-4f7e-9c61-0d3b7a3e8f10', 'order-1042/attempt', 'x'])(
    'takes %s',
    (key) => {
      expect(IDEMPOTENCY_KEY_PATTERN.test(key)).toBe(true);
    },
  );

  it.each(['', 'has space', 'tab\there', 'é', 'x'.repeat(256)])('refuses %j', (key) => {
    expect(IDEMPOTENCY_KEY_PATTERN.test(key)).toBe(false);
  });
});

describe('Last-Event-ID', () => {
  it('is absent when not sent or empty', () => {
    expect(parseLastEventId(undefined)).toBeUndefined();
    expect(parseLastEventId('')).toBeUndefined();
  });

  it('is a stream sequence', () => {
    expect(parseLastEventId('0')).toBe(0);
    expect(parseLastEventId('123456')).toBe(123456);
  });

  it.each(['-1', '1.5', 'abc', '12 ', '9'.repeat(16)])('refuses %j', (value) => {
    expect(parseLastEventId(value)).toBeNull();
  });
});

describe('an SSE frame', () => {
  it('carries the id, the event type and one line of data, and ends with a blank line', () => {
    expect(sseFrame(42, 'run.started', '{"a":"b\\nc"}')).toBe(
      'id: 42\nevent: run.started\ndata: {"a":"b\\nc"}\n\n',
    );
  });
});
