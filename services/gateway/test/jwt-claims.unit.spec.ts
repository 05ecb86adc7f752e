import { ValidationError } from '@tether/errors';
import { loadConfig } from '../src/config';
import { claimAt, principalOfClaims, rolesOf, type ClaimNames } from '../src/domain/jwt-claims';

const NAMES: ClaimNames = { tenant: 'tenant', roles: 'roles' };
/** Values that are neither a tenant id nor a user id. */
const NOT_IDS: Array<[string, unknown]> = [
  ['the empty string', ''],
  ['white space', 'a b'],
  ['a number', 42],
  ['null', null],
];
const claims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  sub: 'u_12',
  tenant: 'acme',
  roles: ['approver'],
  ...extra,
});

describe('JWT claims', () => {
  describe('when the token names a tenant, a subject and known roles', () => {
    it('maps them to a principal', () => {
      expect(principalOfClaims(claims({ roles: ['operator', 'admin'] }), NAMES)).toEqual({
        ok: true,
        principal: { tenantId: 'acme', subject: 'u_12', roles: ['operator', 'admin'] },
      });
    });

    it('reads the tenant and roles from the claims configured, nested by a dotted path', () => {
      const sut = principalOfClaims(
        {
          sub: 'u_12',
          org: { id: 'globex' },
          realm_access: { roles: ['offline_access', 'approver'] },
        },
        { tenant: 'org.id', roles: 'realm_access.roles' },
      );
      expect(sut).toEqual({
        ok: true,
        principal: { tenantId: 'globex', subject: 'u_12', roles: ['approver'] },
      });
    });

    it('reads a namespaced claim whose name holds dots as one name', () => {
      const sut = principalOfClaims(
        { sub: 'u_1', 'https://tether.dev/tenant': 'acme', 'https://tether.dev/roles': 'admin' },
        { tenant: 'https://tether.dev/tenant', roles: 'https://tether.dev/roles' },
      );
      expect(sut).toMatchObject({ ok: true, principal: { tenantId: 'acme', roles: ['admin'] } });
    });
  });

  describe('when a claim is missing', () => {
    it.each([
      ['sub', 'the token has no "sub" claim'],
      ['tenant', 'the token has no "tenant" claim (the tenant)'],
    ])('refuses a token without %s, naming it', (name, reason) => {
      const { [name]: _, ...rest } = claims();
      expect(principalOfClaims(rest, NAMES)).toEqual({ ok: false, reason });
    });

    it('names the tenant claim configured', () => {
      expect(principalOfClaims(claims(), { ...NAMES, tenant: 'org.id' })).toEqual({
        ok: false,
        reason: 'the token has no "org.id" claim (the tenant)',
      });
    });
  });

  describe('when the tenant claim is not usable', () => {
    it.each([
      ...NOT_IDS,
      ['a subject wildcard', 'acme.*'],
      ['a dot', 'acme.eu'],
      ['65 characters', 'a'.repeat(65)],
      ['the reserved scope of every tenant', '_all'],
      ['an array', ['acme']],
      ['an object', { id: 'acme' }],
    ])('refuses %s as the tenant', (_, tenant) => {
      expect(principalOfClaims(claims({ tenant }), NAMES)).toEqual({
        ok: false,
        reason: expect.stringContaining('"tenant" claim is not a tenant id'),
      });
    });
  });

  describe('when the subject is not usable', () => {
    it.each([...NOT_IDS, ['129 characters', 'x'.repeat(129)]])('refuses %s as sub', (_, sub) => {
      const sut = principalOfClaims(claims({ sub }), NAMES);
      expect(sut).toEqual({ ok: false, reason: expect.stringContaining('"sub" claim is not a') });
    });
  });

  describe('roles', () => {
    it('keeps known roles and ignores unknown ones', () => {
      expect(rolesOf(['admin', 'root', 'user', 'Admin', 7, null, { role: 'admin' }])).toEqual([
        'admin',
        'user',
      ]);
    });

    it('takes a space-separated string (scope style)', () => {
      expect(rolesOf('openid approver  operator profile')).toEqual(['approver', 'operator']);
    });

    it('holds each role once', () => {
      expect(rolesOf(['admin', 'admin', 'operator'])).toEqual(['admin', 'operator']);
    });

    it.each([undefined, null, 42, true, { admin: true }, ''])('holds none for %j', (value) => {
      expect(rolesOf(value)).toEqual([]);
    });

    it('authenticates a token without a known role, with no roles (the routes then refuse)', () => {
      for (const roles of [undefined, ['viewer'], 'openid profile'])
        expect(principalOfClaims(claims({ roles }), NAMES)).toEqual({
          ok: true,
          principal: { tenantId: 'acme', subject: 'u_12', roles: [] },
        });
    });
  });

  describe(claimAt.name, () => {
    const sut = { a: { b: { c: 'deep' }, list: ['x'] }, 'a.b': 'flat', n: null };

    it('prefers the claim of that exact name, then walks the path', () => {
      expect(claimAt(sut, 'a.b')).toBe('flat');
      expect(claimAt(sut, 'a.b.c')).toBe('deep');
    });

    it('is undefined past a missing step, a null, an array or a scalar', () => {
      expect(claimAt(sut, 'a.x.c')).toBeUndefined();
      expect(claimAt(sut, 'n.x')).toBeUndefined();
      expect(claimAt(sut, 'a.list.0')).toBeUndefined();
      expect(claimAt(sut, 'a.b.c.d')).toBeUndefined();
    });

    it('never reads inherited properties', () => {
      expect(claimAt(sut, 'constructor')).toBeUndefined();
      expect(claimAt(sut, 'a.toString')).toBeUndefined();
      expect(claimAt(sut, '__proto__')).toBeUndefined();
    });
  });
});

describe('JWT mode configuration', () => {
  const JWT = {
    TETHER_GATEWAY_JWKS_URL: 'https://idp.example/.well-known/jwks.json',
    TETHER_GATEWAY_JWT_ISSUER: 'https://idp.example/',
    TETHER_GATEWAY_JWT_AUDIENCE: 'tether-gateway',
  };
  const problemsOf = (env: Record<string, string>): string[] => {
    try {
      loadConfig(env);
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      return (err as ValidationError).problems;
    }
    throw new Error('the configuration was accepted');
  };

  it('is off when no JWKS is configured', () => {
    expect(loadConfig({}).jwt).toBeUndefined();
  });

  it('is on with a JWKS, an issuer and an audience, with sane defaults', () => {
    expect(loadConfig(JWT).jwt).toEqual({
      jwksUrl: JWT.TETHER_GATEWAY_JWKS_URL,
      issuer: JWT.TETHER_GATEWAY_JWT_ISSUER,
      audience: JWT.TETHER_GATEWAY_JWT_AUDIENCE,
      claims: { tenant: 'tenant', roles: 'roles' },
      algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      clockToleranceS: 30,
      jwksCooldownMs: 30_000,
    });
  });

  it('takes the claim names, algorithms and cooldown configured', () => {
    expect(
      loadConfig({
        ...JWT,
        TETHER_GATEWAY_JWKS_URL: 'http://127.0.0.1:8080/jwks',
        TETHER_GATEWAY_JWT_TENANT_CLAIM: 'org.id',
        TETHER_GATEWAY_JWT_ROLES_CLAIM: 'realm_access.roles',
        TETHER_GATEWAY_JWT_ALGORITHMS: 'ES384,EdDSA',
        TETHER_GATEWAY_JWKS_COOLDOWN_MS: '0',
      }).jwt,
    ).toMatchObject({
      jwksUrl: 'http://127.0.0.1:8080/jwks',
      claims: { tenant: 'org.id', roles: 'realm_access.roles' },
      algorithms: ['ES384', 'EdDSA'],
      jwksCooldownMs: 0,
    });
  });

  it('fails to start with a JWKS but no issuer or audience, naming both', () => {
    expect(problemsOf({ TETHER_GATEWAY_JWKS_URL: JWT.TETHER_GATEWAY_JWKS_URL })).toEqual([
      'TETHER_GATEWAY_JWT_ISSUER is required with TETHER_GATEWAY_JWKS_URL',
      'TETHER_GATEWAY_JWT_AUDIENCE is required with TETHER_GATEWAY_JWKS_URL',
    ]);
  });

  it.each(['idp.example/jwks', 'ftp://idp.example/jwks', 'file:///etc/jwks.json', ''])(
    'fails to start with the JWKS URL %j',
    (url) => {
      expect(problemsOf({ ...JWT, TETHER_GATEWAY_JWKS_URL: url })).toEqual([
        expect.stringMatching(/^TETHER_GATEWAY_JWKS_URL must be an http\(s\) URL/),
      ]);
    },
  );

  it('fails to start with JWT settings but no JWKS (they would silently do nothing)', () => {
    const { TETHER_GATEWAY_JWKS_URL: _, ...rest } = JWT;
    expect(problemsOf(rest)).toEqual([expect.stringMatching(/^TETHER_GATEWAY_JWKS_URL must be/)]);
  });

  it.each(['none', 'HS256', 'RS256,HS512', 'RS256,', 'rs256'])(
    'refuses the algorithms %j',
    (algorithms) => {
      expect(problemsOf({ ...JWT, TETHER_GATEWAY_JWT_ALGORITHMS: algorithms })).toEqual([
        expect.stringMatching(
          /^TETHER_GATEWAY_JWT_ALGORITHMS must be a comma-separated list of RS256/,
        ),
      ]);
    },
  );
});
