import type { RedactionKind } from './redaction.kinds';

/**
 * Test data shared with other packages' tests (`@tether/redaction` exports it). Every credential
 * here is made up: right shape, never issued. Cards, IBANs and SSNs are the published test or
 * specimen values.
 */
export interface SensitiveFixture {
  /** The marker kind the sample must be reported as when it stands alone. */
  kind: RedactionKind;
  sample: string;
  /**
   * The part that must not survive, when redaction keeps some of the sample (`password=` of
   * `password=hunter2`, `Bearer ` of a bearer token). Defaults to the whole sample.
   */
  sensitivePart?: string;
}

export interface HarmlessFixture {
  /** What the sample is (not a marker kind): `order_id`, `date`, `luhn_negative` … */
  kind: string;
  sample: string;
}

const PEM_BODY = [
  'MIIEowIBAAKCAQEAwJ3pmstoUdHiDYMLlH26e/fcz+n0OWaEwKooiXyIydPTawbajy',
  'GyygzdsbCS4VzyjEYpIMyBdnNsHPgiB5buRzRUhzV8ONqEWUYvrEx0+Kaw/q3oNE',
  'dYBJlVDpTQ9OKfscT8093KvCP04rIcMnM8m3+p2F0VMr8BBafiZtcyKAyw2RqTEH',
  'SfXISd+4dwlLjJowM7RPCsB8UPHYIAls00qMDGZ7oZUbBkCnpO9/10wMHjRpoW3d',
];

/** At least three samples of each kind. */
export const SENSITIVE_FIXTURES: readonly SensitiveFixture[] = [
  // secret: values after secret names in text
  { kind: 'secret', sample: 'password=hunter2', sensitivePart: 'hunter2' },
  {
    kind: 'secret',
    sample: 'https://api.example.com/v1/orders?api_key=9f8e7d6c5b4a3210&format=json',
    sensitivePart: '9f8e7d6c5b4a3210',
  },
  { kind: 'secret', sample: 'client_secret=Zq81Lw0pXe3Rt7Yu', sensitivePart: 'Zq81Lw0pXe3Rt7Yu' },
  {
    kind: 'secret',
    sample: 'DB_PASSWORD=correct-horse-battery',
    sensitivePart: 'correct-horse-battery',
  },
  {
    kind: 'secret',
    sample: '{"access_token":"opaque-7Hq2Lm9Zt4"}',
    sensitivePart: 'opaque-7Hq2Lm9Zt4',
  },
  { kind: 'secret', sample: 'X-Api-Key: 51c9e0a4d7b2f8e6', sensitivePart: '51c9e0a4d7b2f8e6' },
  // bearer
  {
    kind: 'bearer',
    sample: 'Bearer 5kJaCpF3.TwFz4GiFf1NBx77ULONMGzfMuX-J-k6',
    sensitivePart: '5kJaCpF3.TwFz4GiFf1NBx77ULONMGzfMuX-J-k6',
  },
  { kind: 'bearer', sample: 'bearer 0f3c9a7e21d84b6c', sensitivePart: '0f3c9a7e21d84b6c' },
  {
    kind: 'bearer',
    sample: 'Bearer QWxhZGRpbjpPcGVuU2VzYW1lTm90UmVhbA==',
    sensitivePart: 'QWxhZGRpbjpPcGVuU2VzYW1lTm90UmVhbA==',
  },
  // jwt
  {
    kind: 'jwt',
    sample:
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
  },
  {
    kind: 'jwt',
    sample: 'eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ1c2VyXzQyIiwicm9sZSI6ImFkbWluIn0.',
  },
  {
    kind: 'jwt',
    sample:
      'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2F1dGguZXhhbXBsZS5jb20iLCJzdWIiOiI0MiIsImV4cCI6MTcxNDU2MzYwMH0.Qm9ndXNTaWduYXR1cmVGb3JUZXN0c09ubHlfX19fX18tLS0tLS0',
  },
  // api_key: vendor shapes
  { kind: 'api_key', sample: 'sk-kg4ruqgJDOR9spWPG300bR0Cv7xHUoDQfvQgAjior0yOza4I' },
  {
    kind: 'api_key',
    sample: 'sk-proj-2SBfBJ7PUnulzmnFRF5-P0ObEBJWi_bYWoaBwb1KT3BlbkFJrhwofaPAViS_0mG9lmHG',
  },
  {
    kind: 'api_key',
    sample:
      'sk-ant-api03-1qdxp3VIdE5VtgEFic8B87nnhdhOOFV_oOsSt4QEixpPw8KCPLcPxQDMVC0A3EsMxUYjbsuqaTmy6ZDE4jk5013DZZCer-m0ppByAA',
  },
  { kind: 'api_key', sample: 'AKIAIOSFODNN7EXAMPLE' },
  { kind: 'api_key', sample: 'ASIAMNYNW3XOABBMSG0Y' },
  { kind: 'api_key', sample: 'ghp_YFRasKn0b2HrG8guSjr7EEhSVMmKQjaOccGo' },
  { kind: 'api_key', sample: 'gho_tyD11toYG4m8Poa6zmDn8CJnF5QphpiMLnkm' },
  {
    kind: 'api_key',
    sample:
      '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',
  },
  { kind: 'api_key', sample: 'xoxb-603399963231-5793097398545-LK7SaR66rmag0WMcEcaJLWSO' },
  { kind: 'api_key', sample: 'sk_live_519FV6UnBM0Z7mNbPewIaNJzml2h3GJquuifjkxVmsaWRudRNdFcGLs4c6' },
  { kind: 'api_key', sample: 'rk_live_51zNy4RQq7ECqCDnBBiTHd9tczxdPueH' },
  { kind: 'api_key', sample: 'sk_test_8LHFlcO0Uh348IsRbBse4vQk' },
  { kind: 'api_key', sample: 'AIzab6dGZM6-W8e3LV9LXHxfntIw4KEGahkxU6D' },
  { kind: 'api_key', sample: 'glpat-9HyU89XRBwm7EbKf46z4' },
  { kind: 'api_key', sample: 'hf_i2BIHHgQaMP8eWIDMJFcJ6HlESPSUConNT' },
  // private_key
  {
    kind: 'private_key',
    sample: ['-----BEGIN RSA PRIVATE KEY-----', ...PEM_BODY, '-----END RSA PRIVATE KEY-----'].join(
      '\n',
    ),
  },
  {
    kind: 'private_key',
    sample: ['-----BEGIN PRIVATE KEY-----', ...PEM_BODY, '-----END PRIVATE KEY-----'].join('\n'),
  },
  {
    kind: 'private_key',
    sample: [
      '-----BEGIN OPENSSH PRIVATE KEY-----',
      ...PEM_BODY,
      '-----END OPENSSH PRIVATE KEY-----',
    ].join('\r\n'),
  },
  // credentials
  {
    kind: 'credentials',
    sample: 'postgres://app:s3cr3t-pw@db.internal:5432/orders',
    sensitivePart: 's3cr3t-pw',
  },
  {
    kind: 'credentials',
    sample: 'https://admin:Tr0ub4dor&3@registry.example.com/v2/',
    sensitivePart: 'Tr0ub4dor&3',
  },
  {
    kind: 'credentials',
    sample: 'Basic amFuZTpjb3JyZWN0LWhvcnNl',
    sensitivePart: 'amFuZTpjb3JyZWN0LWhvcnNl',
  },
  {
    kind: 'credentials',
    sample: 'Basic c3ZjLWRlcGxveTpUcjB1YjRkb3ImMw==',
    sensitivePart: 'c3ZjLWRlcGxveTpUcjB1YjRkb3ImMw==',
  },
  // email
  { kind: 'email', sample: 'jane.doe@example.com' },
  { kind: 'email', sample: 'j.smith+billing@acme-corp.co.uk' },
  { kind: 'email', sample: 'ops_team@mail.example.org' },
  { kind: 'email', sample: 'Max.Mustermann@Beispiel.DE' },
  // phone
  { kind: 'phone', sample: '+1 415 555 2671' },
  { kind: 'phone', sample: '+14155552671' },
  { kind: 'phone', sample: '+44 20 7946 0958' },
  { kind: 'phone', sample: '+44 (0)20 7946 0958' },
  { kind: 'phone', sample: '+49 30 12345678' },
  { kind: 'phone', sample: '+33 6 12 34 56 78' },
  { kind: 'phone', sample: '(415) 555-2671' },
  { kind: 'phone', sample: '415-555-2671' },
  { kind: 'phone', sample: '415.555.2671' },
  { kind: 'phone', sample: '1-800-555-0199' },
  { kind: 'phone', sample: '020 7946 0958' },
  { kind: 'phone', sample: '06 12 34 56 78' },
  { kind: 'phone', sample: '030-12345678' },
  { kind: 'phone', sample: '0049 30 1234567' },
  // card (Luhn-valid test numbers)
  { kind: 'card', sample: '4111 1111 1111 1111' },
  { kind: 'card', sample: '4111111111111111' },
  { kind: 'card', sample: '5555-5555-5555-4444' },
  { kind: 'card', sample: '3782 822463 10005' },
  { kind: 'card', sample: '6011111111111117' },
  { kind: 'card', sample: '2223 0031 2200 3222' },
  { kind: 'card', sample: '3530111333300000' },
  { kind: 'card', sample: '30569309025904' },
  // iban (mod-97 valid)
  { kind: 'iban', sample: 'DE89370400440532013000' },
  { kind: 'iban', sample: 'DE89 3704 0044 0532 0130 00' },
  { kind: 'iban', sample: 'GB82 WEST 1234 5698 7654 32' },
  { kind: 'iban', sample: 'FR1420041010050500013M02606' },
  { kind: 'iban', sample: 'NL91ABNA0417164300' },
  { kind: 'iban', sample: 'ES91 2100 0418 4502 0005 1332' },
  // ssn
  { kind: 'ssn', sample: '078-05-1120' },
  { kind: 'ssn', sample: '219-09-9999' },
  { kind: 'ssn', sample: '536-90-4399' },
  // nino
  { kind: 'nino', sample: 'AB123456C' },
  { kind: 'nino', sample: 'JG 10 37 59 A' },
  { kind: 'nino', sample: 'CE 123456 D' },
];

/** Must come out of `redact` and `redactText` unchanged, alone or in a sentence. */
export const HARMLESS_FIXTURES: readonly HarmlessFixture[] = [
  { kind: 'order_id', sample: '1042' },
  { kind: 'order_id', sample: '#1042' },
  { kind: 'order_id', sample: 'ORD-2024-001042' },
  { kind: 'order_id', sample: '01HXZ3NDEKTSV4RRFFQ69G5FAV' },
  { kind: 'order_id', sample: 'Tracking 1Z999AA10123456784' },
  { kind: 'date', sample: '2024-05-01' },
  { kind: 'date', sample: '01/05/2024' },
  { kind: 'date', sample: '05.01.2024' },
  { kind: 'date', sample: '1 May 2024' },
  { kind: 'date', sample: '2024-05-01 10:20:30' },
  { kind: 'date', sample: '01-05-2024 1020' },
  { kind: 'timestamp', sample: '2024-05-01T10:20:30Z' },
  { kind: 'timestamp', sample: '2024-05-01T10:20:30.123+02:00' },
  { kind: 'timestamp', sample: '1714560000' },
  { kind: 'timestamp', sample: '1714560000123' },
  { kind: 'timestamp', sample: '20240501102030' },
  { kind: 'time', sample: '10:20:30' },
  { kind: 'time', sample: '14:05' },
  { kind: 'price', sample: '$1,234.56' },
  { kind: 'price', sample: '1.234,56 €' },
  { kind: 'price', sample: 'EUR 99.90' },
  { kind: 'price', sample: '€ 1 299,00' },
  { kind: 'price', sample: '12345678.90' },
  { kind: 'uuid', sample: '123e4567-e89b-12d3-a456-426614174000' },
  { kind: 'uuid', sample: '00000000-0000-0000-0000-000000000000' },
  { kind: 'uuid', sample: 'f47ac10b-58cc-4372-a567-0e02b2c3d479' },
  { kind: 'token_count', sample: 'inputTokens: 1532' },
  { kind: 'token_count', sample: 'max_tokens=4096' },
  { kind: 'token_count', sample: 'token: 57' },
  { kind: 'token_count', sample: 'usage: 1234 input tokens, 56 output tokens' },
  { kind: 'number', sample: '42' },
  { kind: 'number', sample: '3.14159' },
  { kind: 'number', sample: '0.8734 0.1266 0.5521' },
  { kind: 'number', sample: '-17' },
  { kind: 'number', sample: '1e-9' },
  { kind: 'number', sample: '100%' },
  { kind: 'number', sample: '4006381333931' },
  { kind: 'version', sample: 'v1.2.3' },
  { kind: 'address', sample: '192.168.1.10' },
  { kind: 'address', sample: 'localhost:5432' },
  { kind: 'address', sample: 'https://example.com/orders/1042?page=2&sort=desc' },
  { kind: 'hash', sample: '9fceb02d0ae598e95dc970b74767f19372d61af8' },
  {
    kind: 'hash',
    sample: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  },
  { kind: 'isbn', sample: 'ISBN 978-3-16-148410-0' },
  { kind: 'prose', sample: 'The tokenizer splits text into tokens.' },
  { kind: 'prose', sample: 'Each token costs $0.000002.' },
  { kind: 'prose', sample: 'Use a bearer token for authentication.' },
  { kind: 'prose', sample: 'Bearer authentication is described in RFC 6750.' },
  { kind: 'prose', sample: 'Basic information about the key rotation policy.' },
  { kind: 'prose', sample: 'Reset your password from the settings page.' },
  { kind: 'prose', sample: 'The secret to good pasta is salt.' },
  { kind: 'prose', sample: 'Read the task-management-system-overview document.' },
  { kind: 'prose', sample: 'Ask @support on Slack.' },
  { kind: 'asset', sample: 'icon@2x.png' },
  { kind: 'luhn_negative', sample: '4111 1111 1111 1112' },
  { kind: 'luhn_negative', sample: '5555555555554445' },
  { kind: 'mod97_negative', sample: 'DE89 3704 0044 0532 0130 01' },
  { kind: 'mod97_negative', sample: 'GB82WEST12345698765433' },
  { kind: 'ssn_negative', sample: '000-12-3456' },
  { kind: 'ssn_negative', sample: '666-12-3456' },
  { kind: 'ssn_negative', sample: '912-34-5678' },
  { kind: 'nino_negative', sample: 'GB123456A' },
  { kind: 'nino_negative', sample: 'QQ123456C' },
  { kind: 'short_number', sample: 'Room 0612, ext. 4567' },
];
