import { createHash } from 'node:crypto';
import { APPROVER_ROLES } from '@tether/contracts';
import { presentedKey } from '../src/adapters/http/api-key.guard';
import {
  KEY_RANDOM_BYTES,
  durationMs,
  formatKey,
  hashKey,
  isKeyShaped,
  keyStatus,
  visiblePrefix,
} from '../src/domain/api-key';
import { ROLES, admits, isRole } from '../src/domain/roles';

const bytes = (fill: number) => new Uint8Array(KEY_RANDOM_BYTES).fill(fill);

describe('API key', () => {
  describe('format', () => {
    it('is tk_ and 32 random bytes in base64url: 256 bits in 43 characters', () => {
      const key = formatKey(bytes(0xfb));
      expect(key).toBe(`tk_${Buffer.from(bytes(0xfb)).toString('base64url')}`);
      expect(key).toMatch(/^tk_[A-Za-z0-9_-]{43}$/);
      expect(isKeyShaped(key)).toBe(true);
    });

    it('refuses fewer or more random bytes', () => {
      expect(() => formatKey(new Uint8Array(16))).toThrow(RangeError);
      expect(() => formatKey(new Uint8Array(33))).toThrow(RangeError);
    });

    it.each([
      '',
      'tk_',
      `tk_${'A'.repeat(42)}`,
      `tk_${'A'.repeat(44)}`,
      `pk_${'A'.repeat(43)}`,
      `tk_${'A'.repeat(42)}=`,
    ])('does not take %j for a key', (value) => expect(isKeyShaped(value)).toBe(false));

    it('shows the scheme and 8 characters, nothing more', () => {
      expect(visiblePrefix(formatKey(bytes(7)))).toHaveLength(11);
      expect(formatKey(bytes(7)).startsWith(visiblePrefix(formatKey(bytes(7))))).toBe(true);
    });
  });

  describe('hash', () => {
    it('is the hex SHA-256 of the whole key', () => {
      const key = formatKey(bytes(1));
      expect(hashKey(key)).toBe(createHash('sha256').update(key).digest('hex'));
      expect(hashKey(key)).toMatch(/^[0-9a-f]{64}$/);
      expect(hashKey(formatKey(bytes(2)))).not.toBe(hashKey(key));
    });
  });

  describe('status', () => {
    const now = new Date('2026-05-01T12:00:00Z');
    it('is active without expiry or revocation, and before its expiry', () => {
      expect(keyStatus({ revokedAt: null, expiresAt: null }, now)).toBe('active');
      expect(keyStatus({ revokedAt: null, expiresAt: new Date('2026-05-01T12:00:01Z') }, now)).toBe(
        'active',
      );
    });
    it('is expired from its expiry on', () => {
      expect(keyStatus({ revokedAt: null, expiresAt: now }, now)).toBe('expired');
    });
    it('is revoked once revoked, whatever its expiry', () => {
      expect(keyStatus({ revokedAt: now, expiresAt: new Date(0) }, now)).toBe('revoked');
    });
  });

  describe('lifetime', () => {
    it.each([
      ['90s', 90_000],
      ['15m', 900_000],
      ['12h', 43_200_000],
      ['30d', 2_592_000_000],
      ['2w', 1_209_600_000],
    ])('reads %s', (text, ms) => expect(durationMs(text)).toBe(ms));
    it.each(['', '0d', '-1d', '1.5d', '30', 'd', '30 d', '1y', '1234567d'])('refuses %j', (text) =>
      expect(durationMs(text)).toBeUndefined(),
    );
  });
});

describe('roles', () => {
  it('are admin, operator, approver and user', () => {
    expect([...ROLES].sort()).toEqual(['admin', 'approver', 'operator', 'user']);
    expect(isRole('approver')).toBe(true);
    expect(isRole('root')).toBe(false);
  });

  it('include every role the approval contract lets decide', () => {
    expect(APPROVER_ROLES.every(isRole)).toBe(true);
  });

  it('admit a caller holding any one of the required roles', () => {
    expect(admits(['approver', 'admin'], ['user', 'approver'])).toBe(true);
    expect(admits(['approver', 'admin'], ['admin'])).toBe(true);
  });

  it('refuse a caller holding none of them: roles are not ranked', () => {
    expect(admits(['approver', 'admin'], ['operator', 'user'])).toBe(false);
    expect(admits(['operator'], ['admin'])).toBe(false);
    expect(admits(['admin'], [])).toBe(false);
  });

  it('admit anyone when a handler requires none', () => {
    expect(admits([], [])).toBe(true);
  });
});

describe('presentedKey', () => {
  const key = formatKey(bytes(3));
  it('reads a bearer token, whatever the case of the scheme', () => {
    expect(presentedKey({ authorization: `Bearer ${key}` })).toBe(key);
    expect(presentedKey({ authorization: `bearer   ${key} ` })).toBe(key);
  });
  it('reads X-API-Key when there is no Authorization header', () => {
    expect(presentedKey({ 'x-api-key': key })).toBe(key);
    expect(presentedKey({ authorization: `Bearer ${key}`, 'x-api-key': 'other' })).toBe(key);
  });
  it('gives an empty credential for another scheme or an empty token (refused as invalid)', () => {
    expect(presentedKey({ authorization: 'Basic dTpw' })).toBe('');
    expect(presentedKey({ authorization: 'Bearer' })).toBe('');
    expect(presentedKey({ authorization: `Bearer ${key} extra` })).toBe('');
  });
  it('gives nothing when no credential is sent', () => {
    expect(presentedKey({})).toBeUndefined();
  });
});
