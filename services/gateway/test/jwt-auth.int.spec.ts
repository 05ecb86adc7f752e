import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  SignJWT,
  UnsecuredJWT,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTHeaderParameters,
  type KeyLike,
} from 'jose';
import type { Msg, NatsConnection, Subscription } from 'nats';
import { APPROVAL_SERVICE, subjects } from '@tether/contracts';
import { encodeJson } from '@tether/event-store';
import { connectTestNats } from '@tether/testing';
import type { ApiKeyView } from '../src/application/api-key.requests';
import { expectProblem, startGateway, type Reply, type TestGateway } from './gateway.helper';

const ISSUER = 'https://idp.test/';
const AUDIENCE = 'tether-gateway';

interface SigningKey {
  kid: string;
  alg: string;
  privateKey: KeyLike;
  jwk: JWK;
}

async function signingKey(kid: string, alg = 'ES256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** The identity provider's JWKS endpoint: serves `{ keys }` as they are when a request comes. */
class JwksServer {
  readonly keys: JWK[] = [];
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: this.keys }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/jwks`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server?.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // The gateway's fetches keep their connection alive: cut it, so the port refuses at once.
    server.closeAllConnections();
    await closed;
  }
}

const nowS = () => Math.floor(Date.now() / 1000);
const ADMIN = { sub: 'u_jwt', tenant: 'acme', roles: ['admin'] };

/** An acme admin's claims for this gateway, to be signed (or not) as a test needs. */
const claimsOf = (header: JWTHeaderParameters, claims: Record<string, unknown> = {}) =>
  new SignJWT({ ...ADMIN, ...claims })
    .setProtectedHeader(header)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE);

describe('JWT bearer mode', () => {
  let gw: TestGateway;
  let nc: NatsConnection;
  let responder: Subscription;
  const idp = new JwksServer();
  let k1: SigningKey;
  /** What the approval service stand-in was asked. */
  const forwarded: Array<Record<string, unknown>> = [];

  /** A token of the identity provider: acme's u_jwt with the given roles, unless told otherwise. */
  async function token(
    o: {
      key?: SigningKey;
      claims?: Record<string, unknown>;
      issuer?: string;
      audience?: string;
      expiresAt?: number;
    } = {},
  ): Promise<string> {
    const key = o.key ?? k1;
    return claimsOf({ alg: key.alg, kid: key.kid, typ: 'JWT' }, o.claims)
      .setIssuer(o.issuer ?? ISSUER)
      .setAudience(o.audience ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(o.expiresAt ?? nowS() + 300)
      .sign(key.privateKey);
  }

  const get = (path: string, bearer: string): Promise<Reply> =>
    gw.http('GET', path, { key: bearer });

  beforeAll(async () => {
    k1 = await signingKey('k1');
    idp.keys.push(k1.jwk);
    const jwksUrl = await idp.start();
    gw = await startGateway('gwjwt', {
      TETHER_GATEWAY_JWKS_URL: jwksUrl,
      TETHER_GATEWAY_JWT_ISSUER: ISSUER,
      TETHER_GATEWAY_JWT_AUDIENCE: AUDIENCE,
      // Every unknown key id refetches at once, so rotation needs no waiting here.
      TETHER_GATEWAY_JWKS_COOLDOWN_MS: '0',
      TETHER_GATEWAY_SERVICE_TIMEOUT_MS: '2000',
    });
    nc = await connectTestNats('gwjwt-approval-stand-in');
    responder = nc.subscribe(subjects.service(gw.prefix, APPROVAL_SERVICE, '>'), {
      callback: (_err, msg: Msg) => {
        const body = JSON.parse(Buffer.from(msg.data).toString('utf8')) as Record<string, unknown>;
        forwarded.push({ op: msg.subject.split('.').pop(), ...body });
        msg.respond(encodeJson({ ok: true, result: { items: [] } }));
      },
    });
    await nc.flush();
  });
  afterAll(async () => {
    responder?.unsubscribe();
    await nc?.close();
    await gw?.stop();
    await idp.stop();
  });

  describe('with a valid token', () => {
    it('lets an operator read the approval queue of the tenant the token names', async () => {
      const res = await get(
        '/v1/approvals',
        await token({ claims: { sub: 'u_op', roles: ['operator'] } }),
      );
      expect(res.status).toBe(200);
      expect(forwarded.at(-1)).toMatchObject({ op: 'list', tenantId: 'acme' });
    });

    it('decides as the subject of the token, with its roles', async () => {
      await gw.http('POST', '/v1/approvals/apr_1/decision', {
        key: await token({ claims: { sub: 'u_appr', roles: 'approver user' } }),
        body: { decision: 'approve' },
      });
      expect(forwarded.at(-1)).toMatchObject({
        op: 'decide',
        tenantId: 'acme',
        approverId: 'u_appr',
        roles: ['approver', 'user'],
      });
    });

    it('refuses a role the route does not admit with 403', async () => {
      expectProblem(
        await get('/v1/approvals', await token({ claims: { roles: ['user'] } })),
        403,
        'forbidden',
      );
      expectProblem(
        await get('/v1/keys', await token({ claims: { roles: ['operator', 'approver'] } })),
        403,
        'forbidden',
      );
    });

    it('authenticates a token without any known role, which every role-guarded route refuses', async () => {
      expectProblem(
        await get('/v1/keys', await token({ claims: { roles: ['superuser'] } })),
        403,
        'forbidden',
      );
    });
  });

  describe('tenants', () => {
    it("shows an admin only the keys of the token's tenant", async () => {
      const acme = await gw.createKey('acme', 'u_a', ['user']);
      const globex = await gw.createKey('globex', 'u_g', ['user']);
      const res = await get('/v1/keys', await token({ claims: { tenant: 'acme' } }));
      expect(res.status).toBe(200);
      const ids = (res.body.items as unknown as ApiKeyView[]).map((k) => k.keyId);
      expect(ids).toContain(acme.keyId);
      expect(ids).not.toContain(globex.keyId);
      const other = await get('/v1/keys', await token({ claims: { tenant: 'globex' } }));
      expect((other.body.items as unknown as ApiKeyView[]).map((k) => k.keyId)).toEqual([
        globex.keyId,
      ]);
    });

    it('records the subject of the token as the creator of a key', async () => {
      const res = await gw.http('POST', '/v1/keys', {
        key: await token({ claims: { sub: 'u_boss' } }),
        body: { subject: 'u_new', roles: ['approver'] },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ tenantId: 'acme', createdBy: 'jwt:u_boss' });
    });

    it('refuses a token without the tenant claim, or with a tenant that is not an id', async () => {
      const missing = await get('/v1/keys', await token({ claims: { tenant: undefined } }));
      expectProblem(missing, 401, 'unauthorized');
      expect(missing.body.detail).toBe('the token has no "tenant" claim (the tenant)');
      const wildcard = await get('/v1/keys', await token({ claims: { tenant: 'acme.>' } }));
      expectProblem(wildcard, 401, 'unauthorized');
      expect(wildcard.body.detail).toMatch(/"tenant" claim is not a tenant id/);
    });
  });

  describe('refuses with 401, saying why but never echoing the token', () => {
    it.each([
      ['an expired token', () => token({ expiresAt: nowS() - 3600 }), 'the token has expired'],
      [
        'another audience',
        () => token({ audience: 'another-api' }),
        'the token is not meant for this gateway (audience)',
      ],
      [
        'another issuer',
        () => token({ issuer: 'https://evil.test/' }),
        'the token is not issued by the configured identity provider',
      ],
      [
        'a token signed by a key of the same id that is not the provider’s',
        async () => token({ key: await signingKey('k1') }),
        'the token signature does not verify',
      ],
      [
        'a token signed by a key the provider does not publish',
        async () => token({ key: await signingKey('stranger') }),
        'the token is not signed by a key of the identity provider',
      ],
      [
        'an unsigned token (alg none)',
        () =>
          Promise.resolve(
            new UnsecuredJWT(ADMIN)
              .setIssuer(ISSUER)
              .setAudience(AUDIENCE)
              .setExpirationTime('5m')
              .encode(),
          ),
        'the token signing algorithm is not accepted',
      ],
      [
        'an HS256 token keyed with the public key (PEM) of the provider',
        async () => {
          const pem = await exportSPKI((await importJWK(k1.jwk, k1.alg)) as KeyLike);
          return claimsOf({ alg: 'HS256', kid: k1.kid })
            .setExpirationTime('5m')
            .sign(new TextEncoder().encode(pem));
        },
        'the token signing algorithm is not accepted',
      ],
      [
        'a token without expiry',
        () => claimsOf({ alg: k1.alg, kid: k1.kid }).sign(k1.privateKey),
        'the token has no valid expiry',
      ],
      [
        'a token that is not a JWT',
        () => Promise.resolve('not-a-jwt'),
        'the token is not a well-formed signed JWT',
      ],
    ])('%s', async (_, make, detail) => {
      const bearer = await make();
      const res = await get('/v1/keys', bearer);
      expectProblem(res, 401, 'unauthorized');
      expect(res.body.detail).toBe(detail);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(JSON.stringify(res.body)).not.toContain(bearer.split('.')[1] ?? bearer);
    });
  });

  describe('API keys, with JWT mode on', () => {
    it('still authenticate, by bearer and by X-API-Key', async () => {
      const { key } = await gw.createKey('acme', 'u_key', ['admin']);
      expect((await get('/v1/keys', key)).status).toBe(200);
      expect((await gw.http('GET', '/v1/keys', { headers: { 'x-api-key': key } })).status).toBe(
        200,
      );
    });

    it('are refused as API keys when they are unknown, never tried as JWTs', async () => {
      const res = await get('/v1/keys', `tk_${'A'.repeat(43)}`);
      expectProblem(res, 401, 'unauthorized');
      expect(res.body.detail).toBe('the API key is not valid');
    });

    it('a JWT in X-API-Key is not taken', async () => {
      const res = await gw.http('GET', '/v1/keys', { headers: { 'x-api-key': await token() } });
      expectProblem(res, 401, 'unauthorized');
      expect(res.body.detail).toBe('the API key is not valid');
    });
  });

  describe('when the identity provider rotates its keys', () => {
    it('accepts a token of a new key once the JWKS publishes it', async () => {
      const k2 = await signingKey('k2', 'RS256');
      const rotated = await token({ key: k2 });
      expectProblem(await get('/v1/keys', rotated), 401, 'unauthorized');
      idp.keys.push(k2.jwk);
      expect((await get('/v1/keys', rotated)).status).toBe(200);
      // The old key is still published, so its tokens still hold.
      expect((await get('/v1/keys', await token())).status).toBe(200);
    });

    it('takes a token without a key id when one of several keys of its kind verifies it', async () => {
      const k3 = await signingKey('k3');
      idp.keys.push(k3.jwk);
      // A token naming k3 makes the gateway fetch the set that holds it.
      expect((await get('/v1/keys', await token({ key: k3 }))).status).toBe(200);
      const noKid = await claimsOf({ alg: 'ES256' }).setExpirationTime('5m').sign(k3.privateKey);
      expect((await get('/v1/keys', noKid)).status).toBe(200);
    });
  });

  describe('when the identity provider is out of reach', () => {
    beforeAll(() => idp.stop());

    it('still verifies tokens of keys it already holds', async () => {
      expect((await get('/v1/keys', await token())).status).toBe(200);
    });

    it('answers 503 for a token whose key it must fetch, not 401', async () => {
      const res = await get('/v1/keys', await token({ key: await signingKey('k9') }));
      expectProblem(res, 503, 'service_unavailable');
      expect(res.body.detail).toBe('the identity provider is out of reach; try again later');
    });

    it('keeps serving API keys', async () => {
      const { key } = await gw.createKey('acme', 'u_key2', ['admin']);
      expect((await get('/v1/keys', key)).status).toBe(200);
    });
  });
});
