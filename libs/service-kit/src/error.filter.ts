import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { throwError } from 'rxjs';

const STATUS_BY_NAME: Record<string, number> = {
  ValidationError: 400,
  NotFoundError: 404,
  IllegalStateError: 409,
  ConcurrencyError: 409,
};

/**
 * The one exception filter. Over HTTP, coded errors become RFC 9457 problem details. On the bus,
 * errors pass through unchanged: the transport classifies them (ack/nak/term) and request/reply
 * answers carry their `name` (Nest's default would flatten them to "Internal server error").
 */
@Catch()
export class TetherErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost) {
    if (host.getType() !== 'http') return throwError(() => exception);
    const res = host.switchToHttp().getResponse();
    const req = host.switchToHttp().getRequest();
    const e = exception as { name?: string; message?: string; code?: string; problems?: string[] };
    const status =
      exception instanceof HttpException
        ? exception.getStatus()
        : (STATUS_BY_NAME[e?.name ?? ''] ?? 500);
    res
      .status(status)
      .type('application/problem+json')
      .json({
        type: `https://tether.dev/problems/${e?.code ?? (status === 500 ? 'internal' : 'http_' + status)}`,
        title: status === 500 ? 'Internal error' : (e?.name ?? 'Error'),
        status,
        detail: status === 500 ? 'An unexpected error occurred.' : e?.message,
        instance: req?.url,
        ...(e?.problems?.length ? { problems: e.problems } : {}),
      });
  }
}
