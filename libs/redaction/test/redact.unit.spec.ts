import { CIRCULAR, MAX_DEPTH, REDACTED, TRUNCATED, redact } from '../src';
import { HARMLESS_FIXTURES, SENSITIVE_FIXTURES } from './fixtures/sensitive';

describe('redact', () => {
  describe('every sensitive fixture', () => {
    it.each(SENSITIVE_FIXTURES.map((f) => [f.kind, f.sample, f]))(
      '%s %j is removed as a value, nested, in a sentence and under a secret key',
      (_kind, sample, f) => {
        const part = f.sensitivePart ?? f.sample;
        const input = {
          bare: sample,
          nested: { items: [{ note: `see ${sample} here` }, [sample]] },
          password: sample,
        };
        const sut = redact(input);
        expect(JSON.stringify(sut.value)).not.toContain(JSON.stringify(part).slice(1, -1));
        expect(sut.paths).toEqual(['bare', 'nested.items.0.note', 'nested.items.1.0', 'password']);
        expect((sut.value as typeof input).password).toBe(REDACTED.secret);
        expect((sut.value as typeof input).bare).toContain(REDACTED[f.kind]);
      },
    );
  });

  it('keeps every harmless fixture, as a value and nested', () => {
    const input = {
      values: HARMLESS_FIXTURES.map((f) => f.sample),
      byKind: Object.fromEntries(
        HARMLESS_FIXTURES.map((f, i) => [`${f.kind}${i}`, { v: f.sample }]),
      ),
    };
    expect(redact(input)).toEqual({ value: input, paths: [] });
  });

  describe('secret keys', () => {
    it('hides any string under a secret key, whatever its spelling', () => {
      const input = {
        headers: {
          Authorization: 'Bearer x',
          'x-api-key': 'k',
          Cookie: 'a=b',
          'Set-Cookie': 'id=1',
          'Proxy-Authorization': 'Basic x',
        },
        password: 'p',
        db_password: 'p',
        passwd: 'p',
        pwd: 'p',
        clientSecret: 'c',
        access_token: 'a',
        refreshToken: 'r',
        id_token: 'i',
        'x-api-token': 't',
        apiKey: 'k',
        api_key: 'k',
        private_key: 'k',
        sessionId: 's',
        session: 's',
        credentials: 'c',
        auth: 'a',
        cvv: '123',
        pin: '1234',
      };
      const sut = redact(input);
      const everyPath = [
        ...Object.keys(input.headers).map((k) => `headers.${k}`),
        ...Object.keys(input).filter((k) => k !== 'headers'),
      ];
      expect(sut.paths).toEqual(everyPath);
      expect(JSON.stringify(sut.value).match(/"[^"]*":"(?!\[REDACTED:secret\])/g)).toBeNull();
    });

    it('hides a whole object or array under a secret key when it holds a string', () => {
      const sut = redact({
        credentials: { user: 'bob', password: 'x', nested: { deep: ['y'] } },
        cookies: ['a=1', 'b=2'],
      });
      expect(sut).toEqual({
        value: { credentials: REDACTED.secret, cookies: REDACTED.secret },
        paths: ['credentials', 'cookies'],
      });
    });

    it('keeps usage counters: token-ish names that are numbers are not secrets', () => {
      const usage = {
        inputTokens: 1532,
        outputTokens: 211,
        maxTokens: 4096,
        tokenCount: 57,
        max_tokens: 1024,
        tokens: 1743,
        token: 5,
        usage: { prompt_tokens: 10, completion_tokens: 3 },
      };
      expect(redact(usage)).toEqual({ value: usage, paths: [] });
    });

    it('keeps numbers, booleans and null under secret names, and objects holding only those', () => {
      const input = {
        auth: true,
        session: null,
        token: { expiresIn: 3600, used: 2 },
        secret: false,
      };
      expect(redact(input)).toEqual({ value: input, paths: [] });
    });

    it('hides numbers under numeric-code names (pin, cvv, otp, password)', () => {
      expect(
        redact({ pin: 1234, cvv: 123, otp: 998877, password: 1234567, card: { cvc: 99 } }),
      ).toEqual({
        value: {
          pin: REDACTED.secret,
          cvv: REDACTED.secret,
          otp: REDACTED.secret,
          password: REDACTED.secret,
          card: { cvc: REDACTED.secret },
        },
        paths: ['pin', 'cvv', 'otp', 'password', 'card.cvc'],
      });
    });

    it('keeps an empty string and an existing marker under a secret key', () => {
      const input = { password: '', token: REDACTED.secret };
      expect(redact(input)).toEqual({ value: input, paths: [] });
    });

    it('keeps pagination cursors and harmless look-alikes', () => {
      const input = {
        nextPageToken: 'CAoQAA',
        tokenType: 'Bearer',
        token_type: 'bearer',
        author: 'Jane',
        secretary: 'Bob',
        key: 'orders/1042.json',
        expires_in: 3600,
      };
      expect(redact(input)).toEqual({ value: input, paths: [] });
    });
  });

  describe('as JSON would see it', () => {
    it('turns Dates into ISO strings, drops undefined and functions, nulls them in arrays', () => {
      const input = {
        at: new Date('2024-05-01T10:20:30Z'),
        gone: undefined,
        fn: () => 1,
        sym: Symbol('s'),
        list: [undefined, () => 1, 1, Number.NaN, Infinity],
        big: 12345678901234567890n,
        boxed: new String('text'),
      };
      expect(redact(input)).toEqual({
        value: {
          at: '2024-05-01T10:20:30.000Z',
          list: [null, null, 1, null, null],
          big: '12345678901234567890',
          boxed: 'text',
        },
        paths: [],
      });
      const { big: _big, ...jsonSafe } = input;
      expect(redact(jsonSafe).value).toEqual(JSON.parse(JSON.stringify(jsonSafe)));
    });

    it('honours toJSON', () => {
      const input = { v: { toJSON: () => ({ email: 'jane.doe@example.com' }) } };
      expect(redact(input)).toEqual({
        value: { v: { email: REDACTED.email } },
        paths: ['v.email'],
      });
    });

    it('gives undefined for undefined or a function at the top, and handles primitives', () => {
      expect(redact(undefined)).toEqual({ value: undefined, paths: [] });
      expect(redact(() => 1)).toEqual({ value: undefined, paths: [] });
      expect(redact(null)).toEqual({ value: null, paths: [] });
      expect(redact(42)).toEqual({ value: 42, paths: [] });
      expect(redact('mail jane.doe@example.com')).toEqual({
        value: `mail ${REDACTED.email}`,
        paths: [''],
      });
    });

    it('redacts a card number stored as a JSON number, but not a millisecond timestamp', () => {
      expect(redact({ cardNumber: 4111111111111111, at: 1714560000123 })).toEqual({
        value: { cardNumber: REDACTED.card, at: 1714560000123 },
        paths: ['cardNumber'],
      });
    });

    it('copies a "__proto__" key as data, without touching the prototype', () => {
      const input = JSON.parse('{"__proto__": {"email": "jane.doe@example.com"}, "a": 1}');
      const sut = redact(input).value as Record<string, unknown>;
      expect(Object.getPrototypeOf(sut)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(sut, '__proto__')?.value).toEqual({
        email: REDACTED.email,
      });
    });
  });

  describe('the input', () => {
    it('is never mutated, and the result shares no object with it', () => {
      const input = {
        headers: { authorization: 'Bearer abc123def456' },
        items: [{ email: 'jane.doe@example.com', tags: ['a'] }],
      };
      const before = structuredClone(input);
      const sut = redact(input).value as typeof input;
      expect(input).toEqual(before);
      expect(sut.items).not.toBe(input.items);
      expect(sut.items[0].tags).not.toBe(input.items[0].tags);
      expect(Object.isFrozen(input)).toBe(false);
    });

    it('may be frozen', () => {
      const input = Object.freeze({ a: Object.freeze(['jane.doe@example.com']) });
      expect(redact(input).value).toEqual({ a: [REDACTED.email] });
    });
  });

  describe('paths', () => {
    it('lists each changed place in document order', () => {
      const sut = redact({
        headers: { authorization: 'Bearer abc123def456', accept: 'application/json' },
        items: [{ email: 'a@example.com' }, { sku: 'SKU-1' }, { email: 'b@example.com' }],
        note: 'call +44 20 7946 0958',
      });
      expect(sut.paths).toEqual([
        'headers.authorization',
        'items.0.email',
        'items.2.email',
        'note',
      ]);
    });

    it('does not list what was found inside a value that is hidden whole', () => {
      expect(redact({ auth: { user: 'jane.doe@example.com' } }).paths).toEqual(['auth']);
    });
  });

  describe('cycles and depth', () => {
    it('replaces a reference back to an ancestor by [CIRCULAR]', () => {
      const input: Record<string, unknown> = { name: 'root', list: [] };
      input.self = input;
      (input.list as unknown[]).push(input, { up: input.list });
      expect(redact(input)).toEqual({
        value: { name: 'root', list: [CIRCULAR, { up: CIRCULAR }], self: CIRCULAR },
        paths: ['list.0', 'list.1.up', 'self'],
      });
    });

    it('copies an object shared by two siblings twice: that is no cycle', () => {
      const shared = { email: 'jane.doe@example.com' };
      expect(redact({ a: shared, b: shared }).value).toEqual({
        a: { email: REDACTED.email },
        b: { email: REDACTED.email },
      });
    });

    it(`replaces containers below ${MAX_DEPTH} levels by [TRUNCATED], even 100 000 levels deep`, () => {
      const root: Record<string, unknown> = {};
      let node = root;
      for (let i = 0; i < 100_000; i++) {
        const next = {};
        node.x = next;
        node = next;
      }
      const sut = redact(root);
      expect(sut.paths).toEqual([Array(MAX_DEPTH).fill('x').join('.')]);
      let copy = sut.value as Record<string, unknown>;
      for (let i = 0; i < MAX_DEPTH - 1; i++) copy = copy.x as Record<string, unknown>;
      expect(copy).toEqual({ x: TRUNCATED });
    });

    it('keeps a string at the deepest level', () => {
      let value: unknown = 'leaf';
      for (let i = 0; i < MAX_DEPTH; i++) value = [value];
      expect(redact(value).paths).toEqual([]);
    });
  });

  it('is idempotent', () => {
    const once = redact({
      text: SENSITIVE_FIXTURES.map((f) => f.sample).join('\n'),
      password: 'x',
      pin: 1234,
    }).value;
    expect(redact(once)).toEqual({ value: once, paths: [] });
  });
});
