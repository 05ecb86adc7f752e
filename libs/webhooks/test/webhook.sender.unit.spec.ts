import { inspect } from 'node:util';
import pino from 'pino';
import { isErrorNamed, type ValidationError } from '@tether/errors';
import { WebhookSender, type WebhookLogger } from '../src';
import { aWebhookMessage } from './fixtures/webhook-message.builder';

const valid = {
  url: 'https://hooks.example.com/T0/B0/s3cr3tpath',
  secret: 'whsec_x',
  format: 'json',
} as const;

function thrownBy(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    if (isErrorNamed(err, 'ValidationError')) return err as ValidationError;
    throw err;
  }
  throw new Error('did not throw');
}

describe(WebhookSender.name, () => {
  describe('construction', () => {
    it('logs only the origin as its target: a Slack URL path is a credential', () => {
      const sut = new WebhookSender(valid);
      expect(sut.target).toBe('https://hooks.example.com');
      expect(sut.format).toBe('json');
    });

    it.each([
      ['ftp://files.example.com/x', 'url must use http or https, not ftp:'],
      ['file:///etc/passwd', 'url must use http or https, not file:'],
      ['hooks.example.com/x', 'url is not a valid URL'],
      ['', 'url is not a valid URL'],
    ])('refuses %j with a ValidationError', (url, problem) => {
      const err = thrownBy(() => new WebhookSender({ ...valid, url }));
      expect(err.code).toBe('validation_failed');
      expect(err.problems).toEqual([problem]);
    });

    it('does not echo a URL it refuses', () => {
      const err = thrownBy(() => new WebhookSender({ ...valid, url: 'not a url/s3cr3tpath' }));
      expect(err.message).not.toContain('s3cr3tpath');
    });

    it('lists every problem at once', () => {
      const err = thrownBy(
        () =>
          new WebhookSender({
            url: 'https://ok.example.com',
            secret: '',
            format: 'xml' as 'json',
            timeoutMs: 0,
            maxAttempts: 1.5,
            maxRetryAfterMs: -1,
          }),
      );
      expect(err.problems).toEqual([
        'secret must not be empty',
        'format must be json or slack, not "xml"',
        'timeoutMs must be a positive integer',
        'maxAttempts must be a positive integer',
        'maxRetryAfterMs must be a whole number of ms, 0 or more',
      ]);
    });

    it('keeps the secret and the URL path out of the object when it is logged', () => {
      const sut = new WebhookSender(valid);
      for (const shown of [JSON.stringify(sut), inspect(sut, { depth: 5 })]) {
        expect(shown).not.toContain(valid.secret);
        expect(shown).not.toContain('s3cr3tpath');
      }
    });

    it('takes a pino logger', () => {
      const logger: WebhookLogger = pino({ enabled: false });
      expect(new WebhookSender({ ...valid, logger })).toBeInstanceOf(WebhookSender);
    });
  });

  describe('fromEnv', () => {
    const name = 'TETHER_APPROVAL_WEBHOOK';

    it('is undefined when no URL is set', () => {
      expect(WebhookSender.fromEnv(name, {})).toBeUndefined();
      expect(WebhookSender.fromEnv(name, { [`${name}_URL`]: '  ' })).toBeUndefined();
    });

    it('reads the URL, the secret and the format, json by default', () => {
      const env = { [`${name}_URL`]: valid.url, [`${name}_SECRET`]: 's' };
      expect(WebhookSender.fromEnv(name, env)?.format).toBe('json');
      expect(WebhookSender.fromEnv(name, { ...env, [`${name}_FORMAT`]: 'slack' })?.format).toBe(
        'slack',
      );
      expect(WebhookSender.fromEnv(name, env)?.target).toBe('https://hooks.example.com');
    });

    it('refuses a URL without a secret, naming the variable to set', () => {
      const err = thrownBy(() => WebhookSender.fromEnv(name, { [`${name}_URL`]: valid.url }));
      expect(err.message).toContain(`${name}_URL is set but ${name}_SECRET is not`);
      expect(err.message).not.toContain('s3cr3tpath');
    });

    it('names the settings when they are invalid, without their values', () => {
      const err = thrownBy(() =>
        WebhookSender.fromEnv(name, {
          [`${name}_URL`]: 'ftp://x.example/s3cr3tpath',
          [`${name}_SECRET`]: 'whsec_never_shown',
          [`${name}_FORMAT`]: 'teams',
        }),
      );
      expect(err.message).toBe(
        `invalid ${name}_* settings: url must use http or https, not ftp:; format must be json or slack, not "teams"`,
      );
    });
  });

  describe('when the message cannot be encoded', () => {
    const sut = new WebhookSender({ ...valid, url: 'http://127.0.0.1:9/never' });

    it('reports it without a request, and does not throw', async () => {
      const result = await sut.send(aWebhookMessage({ data: { n: 1n } }));
      expect(result).toEqual({
        delivered: false,
        attempts: 0,
        error: expect.stringContaining('message could not be encoded'),
      });
    });

    it('refuses an id or a type that cannot be a header value', async () => {
      for (const msg of [
        aWebhookMessage({ id: 'a\r\nX-Injected: 1' }),
        aWebhookMessage({ type: '' }),
      ]) {
        expect(await sut.send(msg)).toMatchObject({ delivered: false, attempts: 0 });
      }
    });
  });
});
