import {
  BadRequestException,
  NotFoundException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { IllegalStateError, NotFoundError, ValidationError } from '@tether/errors';
import { RemoteError } from '@tether/event-store';
import { toProblem } from '../src/problem';

const coded = (name: string, code: string, message = 'refused') =>
  Object.assign(new Error(message), { name, code });

describe('toProblem', () => {
  it('gives RFC 9457 fields plus the code', () => {
    expect(toProblem(new NotFoundError('run run_1 not found'), '/v1/runs/run_1')).toEqual({
      type: 'https://tether.dev/problems/not_found',
      title: 'Not Found',
      status: 404,
      detail: 'run run_1 not found',
      instance: '/v1/runs/run_1',
      code: 'not_found',
    });
  });

  describe('coded errors of this process', () => {
    it.each([
      [new ValidationError('invalid request', ['a: must be a string']), 400, 'validation_failed'],
      [coded('ForbiddenError', 'forbidden'), 403, 'forbidden'],
      [new NotFoundError('gone'), 404, 'not_found'],
      [new IllegalStateError('finished'), 409, 'illegal_state'],
      [coded('ConcurrencyError', 'concurrency_conflict'), 409, 'concurrency_conflict'],
    ])('maps %p to %i', (err, status, code) => {
      expect(toProblem(err)).toMatchObject({ status, code, detail: (err as Error).message });
    });

    it('lists the problems of a validation error', () => {
      expect(toProblem(new ValidationError('invalid', ['a: x', 'b: y'])).problems).toEqual([
        'a: x',
        'b: y',
      ]);
    });
  });

  describe('refusals of another service (RemoteError)', () => {
    it.each([
      ['validation_failed', 422],
      ['forbidden', 403],
      ['not_found', 404],
      ['illegal_state', 409],
    ])('maps %s to %i, with its message', (code, status) => {
      expect(toProblem(new RemoteError('said the service', 'SomeError', code))).toMatchObject({
        status,
        code,
        detail: 'said the service',
      });
    });

    it('answers 502 for an uncoded or unknown failure, without its message', () => {
      for (const err of [
        new RemoteError('at /srv/x.js:1', 'TypeError'),
        new RemoteError('boom', 'E', 'weird'),
      ])
        expect(toProblem(err)).toMatchObject({
          status: 502,
          code: 'upstream_error',
          detail: 'A Tether service failed.',
        });
    });
  });

  describe('unreachable services', () => {
    it.each(['503', 'TIMEOUT', 'CONNECTION_CLOSED'])('maps a NatsError %s to 503', (code) => {
      expect(toProblem(coded('NatsError', code, 'nats internals'))).toMatchObject({
        status: 503,
        code: 'service_unavailable',
        detail: expect.not.stringContaining('nats internals'),
      });
    });

    it('maps a ServiceUnavailableError to 503 with its message', () => {
      expect(
        toProblem(
          Object.assign(new Error('the approval service is not available'), {
            name: 'ServiceUnavailableError',
          }),
        ),
      ).toMatchObject({
        status: 503,
        detail: 'the approval service is not available',
      });
    });
  });

  describe('HTTP errors', () => {
    it('keeps the status and message of Nest exceptions', () => {
      expect(toProblem(new UnauthorizedException('the API key has expired'))).toMatchObject({
        status: 401,
        title: 'Unauthorized',
        code: 'unauthorized',
        detail: 'the API key has expired',
      });
      expect(toProblem(new NotFoundException('Cannot GET /x'))).toMatchObject({
        status: 404,
        code: 'not_found',
      });
      expect(
        toProblem(new BadRequestException(['a must be a string', 'b should not exist'])),
      ).toMatchObject({
        status: 400,
        code: 'bad_request',
        detail: 'a must be a string',
        problems: ['a must be a string', 'b should not exist'],
      });
      expect(toProblem(new ServiceUnavailableException())).toMatchObject({
        status: 503,
        code: 'service_unavailable',
      });
    });

    it("takes the status of the body parser's errors", () => {
      const tooLarge = Object.assign(new Error('request entity too large'), {
        name: 'PayloadTooLargeError',
        status: 413,
        expose: true,
        type: 'entity.too.large',
      });
      expect(toProblem(tooLarge)).toMatchObject({
        status: 413,
        title: 'Payload Too Large',
        code: 'payload_too_large',
        detail: 'request entity too large',
      });
    });

    it('names a status without a code of its own after its reason phrase', () => {
      expect(toProblem(Object.assign(new Error('charset'), { status: 415 }))).toMatchObject({
        code: 'unsupported_media_type',
      });
    });
  });

  it('answers 500 for anything else, saying nothing of the cause', () => {
    for (const err of [
      new TypeError('x is undefined at /srv/a.js'),
      'a string',
      null,
      { status: 500, message: 'db down' },
    ])
      expect(toProblem(err)).toMatchObject({
        status: 500,
        title: 'Internal Server Error',
        code: 'internal',
        detail: 'An unexpected error occurred.',
      });
  });
});
