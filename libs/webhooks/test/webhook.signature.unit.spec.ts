import { isErrorNamed } from '@tether/errors';
import { signWebhook, verifyWebhook } from '../src';

const secret = 'whsec_test';
const body = '{"hello":"world"}';
const t = 1_700_000_000;

describe('signWebhook', () => {
  it('signs "<t>.<body>" with HMAC-SHA256 as t=<t>,v1=<hex>', () => {
    // Computed independently: printf '%s' '1700000000.{"hello":"world"}' | openssl dgst -sha256 -hmac whsec_test
    expect(signWebhook(secret, body, t)).toBe(
      't=1700000000,v1=f592bbf3951cfc94e560eecfb5d9dd4da6b0fff2e626235f8ab4b54860925d0b',
    );
  });

  it('refuses an empty secret and a timestamp that is not whole unix seconds', () => {
    for (const call of [
      () => signWebhook('', body, t),
      () => signWebhook(secret, body, 1_700_000_000.5),
      () => signWebhook(secret, body, -1),
      () => signWebhook(secret, body, Number.NaN),
    ]) {
      let thrown: unknown;
      try {
        call();
      } catch (err) {
        thrown = err;
      }
      expect(isErrorNamed(thrown, 'ValidationError')).toBe(true);
    }
  });
});

describe('verifyWebhook', () => {
  const header = signWebhook(secret, body, t);

  it('accepts its own signature, unicode bodies included', () => {
    expect(verifyWebhook(secret, body, header, { nowSec: t })).toBe(true);
    const unicode = '{"note":"café ✓ 𝄞"}';
    expect(verifyWebhook(secret, unicode, signWebhook(secret, unicode, t), { nowSec: t })).toBe(
      true,
    );
  });

  it('rejects a tampered body', () => {
    expect(verifyWebhook(secret, '{"hello":"World"}', header, { nowSec: t })).toBe(false);
    expect(verifyWebhook(secret, `${body} `, header, { nowSec: t })).toBe(false);
  });

  it('rejects a signature made with another secret', () => {
    expect(verifyWebhook('whsec_other', body, header, { nowSec: t })).toBe(false);
    expect(verifyWebhook('', body, header, { nowSec: t })).toBe(false);
  });

  it('rejects a timestamp swapped into a valid signature', () => {
    const v1 = header.split(',v1=')[1];
    expect(verifyWebhook(secret, body, `t=${t + 1},v1=${v1}`, { nowSec: t })).toBe(false);
  });

  describe('when the timestamp is far from the receiver clock', () => {
    it('accepts up to 300 s either way by default', () => {
      expect(verifyWebhook(secret, body, header, { nowSec: t + 300 })).toBe(true);
      expect(verifyWebhook(secret, body, header, { nowSec: t - 300 })).toBe(true);
    });

    it('rejects a stale signature, and one from the future', () => {
      expect(verifyWebhook(secret, body, header, { nowSec: t + 301 })).toBe(false);
      expect(verifyWebhook(secret, body, header, { nowSec: t - 301 })).toBe(false);
    });

    it('uses the tolerance it is given', () => {
      expect(verifyWebhook(secret, body, header, { nowSec: t + 60, toleranceSec: 30 })).toBe(false);
      expect(verifyWebhook(secret, body, header, { nowSec: t + 3_000, toleranceSec: 3_600 })).toBe(
        true,
      );
    });

    it('rejects when the clock is not a number', () => {
      expect(verifyWebhook(secret, body, header, { nowSec: Number.NaN })).toBe(false);
    });
  });

  it('accepts any of several v1 signatures, as while a secret is rotated', () => {
    const old = signWebhook('whsec_old', body, t).split(',v1=')[1];
    const current = header.split(',v1=')[1];
    expect(verifyWebhook(secret, body, `t=${t},v1=${old},v1=${current}`, { nowSec: t })).toBe(true);
    expect(verifyWebhook(secret, body, `t=${t},v1=${old}`, { nowSec: t })).toBe(false);
  });

  it('ignores unknown schemes next to v1 and spaces around entries', () => {
    const v1 = header.split(',v1=')[1];
    expect(verifyWebhook(secret, body, ` t=${t} , v0=abc, v1=${v1} `, { nowSec: t })).toBe(true);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['empty', ''],
    ['garbage', 'not a signature'],
    ['no v1', `t=${t}`],
    ['no t', `v1=${'a'.repeat(64)}`],
    ['a t that is not a number', `t=soon,v1=${'a'.repeat(64)}`],
    ['a negative t', `t=-5,v1=${'a'.repeat(64)}`],
    ['two t', `t=${t},t=${t},v1=${'a'.repeat(64)}`],
    ['a short v1', `t=${t},v1=abcd`],
    ['an upper-case v1', `t=${t},v1=${'A'.repeat(64)}`],
    ['a v1 that is not hex', `t=${t},v1=${'z'.repeat(64)}`],
    ['an entry without =', `t=${t},v1`],
  ])('rejects a malformed header (%s) without throwing', (_label, malformed) => {
    expect(verifyWebhook(secret, body, malformed, { nowSec: t })).toBe(false);
  });
});
