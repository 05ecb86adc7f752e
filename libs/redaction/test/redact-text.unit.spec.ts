import { REDACTED, containsSensitive, redactText } from '../src';
import { HARMLESS_FIXTURES, SENSITIVE_FIXTURES } from './fixtures/sensitive';

const sentences = [
  (s: string) => `Please use ${s} for the request.`,
  (s: string) => `(${s})`,
  (s: string) => `line one\n${s}\nline three`,
];

describe('redactText', () => {
  describe('fixtures', () => {
    it('has at least 40 sensitive samples, three or more of each kind', () => {
      expect(SENSITIVE_FIXTURES.length).toBeGreaterThanOrEqual(40);
      const perKind = new Map<string, number>();
      for (const f of SENSITIVE_FIXTURES) perKind.set(f.kind, (perKind.get(f.kind) ?? 0) + 1);
      const tooFew = Object.keys(REDACTED).filter((kind) => (perKind.get(kind) ?? 0) < 3);
      expect(tooFew).toEqual([]);
    });
  });

  describe.each(SENSITIVE_FIXTURES.map((f) => [f.kind, f.sample, f]))(
    'a %s sample %j',
    (kind, _sample, f) => {
      const part = f.sensitivePart ?? f.sample;

      it('is replaced by its marker when it stands alone', () => {
        const sut = redactText(f.sample);
        expect(sut.text).not.toContain(part);
        expect(sut.text).toContain(REDACTED[f.kind]);
        expect(sut.kinds).toEqual([kind]);
        expect(containsSensitive(f.sample)).toBe(true);
      });

      it.each(sentences.map((wrap, i) => [i, wrap]))(
        'is replaced inside a sentence (%i), the rest kept',
        (_i, wrap) => {
          const sut = redactText(wrap(f.sample));
          expect(sut.text).not.toContain(part);
          expect(sut.kinds).toContain(kind);
          const [before, after] = wrap('\u0000').split('\u0000');
          expect(sut.text.startsWith(before)).toBe(true);
          expect(sut.text.endsWith(after)).toBe(true);
        },
      );
    },
  );

  describe.each(HARMLESS_FIXTURES.map((f) => [f.kind, f.sample]))(
    'a harmless %s %j',
    (_kind, sample) => {
      it('survives alone and inside sentences', () => {
        expect(redactText(sample)).toEqual({ text: sample, kinds: [] });
        for (const wrap of sentences) expect(redactText(wrap(sample)).text).toBe(wrap(sample));
        expect(containsSensitive(sample)).toBe(false);
      });
    },
  );

  describe('when several things are in one text', () => {
    it('replaces each and reports each kind once, in rule order', () => {
      const sut = redactText(
        'Mail jane.doe@example.com or call +44 20 7946 0958; card 4111 1111 1111 1111, ' +
          'second mail ops@example.org',
      );
      expect(sut.text).toBe(
        `Mail ${REDACTED.email} or call ${REDACTED.phone}; card ${REDACTED.card}, second mail ${REDACTED.email}`,
      );
      expect(sut.kinds).toEqual(['email', 'card', 'phone']);
    });

    it('finds two cards and two phone numbers that stand side by side', () => {
      expect(redactText('4111111111111111 5555555555554444').text).toBe(
        `${REDACTED.card} ${REDACTED.card}`,
      );
      expect(redactText('0612345678 0698765432').text).toBe(`${REDACTED.phone} ${REDACTED.phone}`);
    });

    it('is idempotent: redacting the output again changes nothing', () => {
      const once = redactText(SENSITIVE_FIXTURES.map((f) => f.sample).join(' | ')).text;
      expect(redactText(once)).toEqual({ text: once, kinds: [] });
    });
  });

  describe('secrets after a name', () => {
    it.each([
      ['password: hunter2', `password: ${REDACTED.secret}`],
      ['"password": "correct horse battery"', `"password": "${REDACTED.secret}"`],
      ["{'api_key': 'abc123'}", `{'api_key': '${REDACTED.secret}'}`],
      ['Authorization: Bearer abc.def.ghi123', `Authorization: ${REDACTED.secret}`],
      ['Cookie: session=9f8e7d; theme=dark', `Cookie: ${REDACTED.secret}; theme=dark`],
      ['Details: password=hunter2', `Details: password=${REDACTED.secret}`],
      ['?key=abc123&sig=ff00aa&page=2', `?key=${REDACTED.secret}&sig=${REDACTED.secret}&page=2`],
      [
        'export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG',
        `export AWS_SECRET_ACCESS_KEY=${REDACTED.secret}`,
      ],
      ['{"pin": 1234}', `{"pin": ${REDACTED.secret}}`],
    ])('%j → %j', (input, output) => {
      expect(redactText(input).text).toBe(output);
    });

    it.each([
      '{"token": 5}',
      '{"auth": true, "session": null}',
      'max_tokens=4096',
      'key: the main idea',
      'nextPageToken=CAoQAA',
    ])('keeps %j (numbers, literals, harmless names)', (input) => {
      expect(redactText(input).text).toBe(input);
    });
  });

  describe('private keys', () => {
    it('removes a key cut off before its END line, with the base64 that follows', () => {
      const text =
        '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk\nMHcCAQEEIBkg4LVWM9nuwNSk';
      expect(redactText(`key:\n${text}`).text).toBe(`key:\n${REDACTED.private_key}`);
    });

    it('removes a key whose newlines are escaped (JSON inside a string)', () => {
      const text =
        '-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0B\\n-----END PRIVATE KEY-----\\n';
      expect(redactText(text).text).toBe(`${REDACTED.private_key}\\n`);
    });
  });

  describe('URLs', () => {
    it('removes user and password but keeps the scheme and host', () => {
      expect(redactText('redis://default:p4ss@cache:6379/0').text).toBe(
        `redis://${REDACTED.credentials}@cache:6379/0`,
      );
    });

    it('keeps a URL without credentials', () => {
      const url = 'https://example.com:8443/a/b?x=1#top';
      expect(redactText(url).text).toBe(url);
    });
  });

  describe('numbers that only look like ids', () => {
    it('keeps a Luhn-valid number glued to letters (an id, not a card)', () => {
      expect(redactText('ref4111111111111111').text).toBe('ref4111111111111111');
      expect(redactText('4111111111111111abc').text).toBe('4111111111111111abc');
    });

    it('keeps the digits of an IBAN whose check fails, rather than calling them a phone', () => {
      expect(redactText('DE89 3704 0044 0532 0130 01').kinds).toEqual([]);
    });
  });
});
