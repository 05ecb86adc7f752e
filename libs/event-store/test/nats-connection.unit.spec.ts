import { natsServerOptions, redactNatsUrl } from '../src';

describe(natsServerOptions.name, () => {
  it('passes URLs without credentials through as they are', () => {
    expect(natsServerOptions('nats://127.0.0.1:4222, nats://n2:4222')).toEqual({
      servers: ['nats://127.0.0.1:4222', 'nats://n2:4222'],
    });
  });

  it('takes a URL-encoded user and password out of the URL', () => {
    expect(natsServerOptions('nats://tether:p%40ss%3Aword@nats:4222')).toEqual({
      servers: ['nats://nats:4222'],
      user: 'tether',
      pass: 'p@ss:word',
    });
  });

  it('takes a lone name as a token', () => {
    expect(natsServerOptions('tls://s3cr3t@nats.example:4222')).toEqual({
      servers: ['tls://nats.example:4222'],
      token: 's3cr3t',
    });
  });

  it('strips credentials from every server and keeps those of the first that names any', () => {
    expect(natsServerOptions('nats://n1:4222,nats://a:1@n2:4222,b:2@n3:4222')).toEqual({
      servers: ['nats://n1:4222', 'nats://n2:4222', 'nats://n3:4222'],
      user: 'a',
      pass: '1',
    });
  });
});

describe(redactNatsUrl.name, () => {
  it('hides passwords and tokens, and nothing else', () => {
    expect(redactNatsUrl('nats://tether:pw@nats:4222,tls://tok@n2:4222,nats://n3:4222')).toBe(
      'nats://tether:***@nats:4222,tls://***@n2:4222,nats://n3:4222',
    );
  });
});
